"""The demo network: exactly the organisations of the seed deck (Pirha's Kaikukortti presentation,
28.1.2025), Pirkanmaa's four localities and the 2024-25 pop-up venues. Facts only: no person's name,
phone number or e-mail address from the deck is copied here.

Dates are those of the deck; `load_demo` moves them by whole years so that the demo looks today as the
network looked when the deck was presented (see docs/demo.md).
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

SEED_YEAR = 2025  # the deck is dated 28.1.2025

COUNTY = {
    "slug": "pirkanmaa",
    "name": "Pirkanmaan hyvinvointialue",
    "name_sv": "Birkalands välfärdsområde",
    "name_en": "Pirkanmaa wellbeing services county",
}

# Statistics Finland municipality codes.
MUNICIPALITIES = {
    "837": ("Tampere", "Tammerfors", True),
    "908": ("Valkeakoski", "Valkeakoski", True),
    "536": ("Nokia", "Nokia", True),
    "562": ("Orivesi", "Orivesi", True),
    "091": ("Helsinki", "Helsingfors", False),
    "092": ("Vantaa", "Vanda", False),
}

PIRHA = "Pirkanmaan hyvinvointialue"
TAMPERE_CITY = "Tampereen kaupunki"

# Organisation name -> (kind, Swedish name, English name)
ORGANISATIONS = {
    PIRHA: ("public", "Birkalands välfärdsområde", "Pirkanmaa wellbeing services county"),
    TAMPERE_CITY: ("public", "Tammerfors stad", "City of Tampere"),
    "Valkeakosken kaupunki": ("public", "Valkeakoski stad", "City of Valkeakoski"),
    "Nokian kaupunki": ("public", "Nokia stad", "City of Nokia"),
    "Oriveden kaupunki": ("public", "Orivesi stad", "City of Orivesi"),
    "Sääksmäen seurakunta": ("parish", "", ""),
    "Nokian seurakunta": ("parish", "", ""),
    "Kansallisgalleria": ("public", "Nationalgalleriet", "Finnish National Gallery"),
    "Suomen valokuvataiteen museo": (
        "third_sector",
        "Finlands fotografiska museum",
        "The Finnish Museum of Photography",
    ),
}

PILOT_2024_25 = (dt.date(2024, 9, 1), dt.date(2025, 12, 31))


class RegionSpec(TypedDict):
    slug: str
    name: str
    name_sv: str
    municipalities: list[str]  # municipality codes, the first the venues' own
    status: str
    pilot: tuple[dt.date, dt.date]
    distributors: list[tuple[str, str]]  # (organisation, site name)
    venues: list[tuple[str, str, str]]  # (organisation, venue name, category)


# Each locality: status and pilot period, its distributor sites as (organisation, site name), and its
# venues as (organisation, venue name, category). An organisation not listed in ORGANISATIONS is one of
# its own, named as its site or venue.
REGIONS: list[RegionSpec] = [
    {
        "slug": "tampere",
        "name": "Tampere",
        "name_sv": "Tammerfors",
        "municipalities": ["837"],
        "status": "permanent",
        "pilot": (dt.date(2021, 1, 1), dt.date(2022, 12, 31)),
        "distributors": [
            (PIRHA, "Hyvinvointialueen sosiaalityö"),
            (PIRHA, "Vammaisten asumispalvelut"),
            (PIRHA, "Sairaalapalvelut"),
            (PIRHA, "Lasten, nuorten ja perheiden asiakasohjaus"),
            (TAMPERE_CITY, "Työllisyys- ja kasvupalvelut"),
            (TAMPERE_CITY, "Nuorisopalvelut"),
            ("Nauha ry", "Nauha ry"),
            ("Setlementti Tampere ry", "Setlementti Tampere ry"),
            ("Tampereen A-Kilta ry", "Tampereen A-Kilta ry"),
            ("Mielen ry", "Mielen ry"),
            ("Vastaanottokeskus Kotokunta Oy", "Vastaanottokeskus Kotokunta Oy"),
            ("Ysti, Yhdessä selviytymisen tuki ry", "Ysti, Yhdessä selviytymisen tuki ry"),
        ],
        "venues": [
            # Museums
            (TAMPERE_CITY, "Tampereen taidemuseo", "culture"),
            (TAMPERE_CITY, "Vapriikki", "culture"),
            (TAMPERE_CITY, "Milavida", "culture"),
            (TAMPERE_CITY, "Amurin museokortteli", "culture"),
            (TAMPERE_CITY, "Muumimuseo", "culture"),
            (TAMPERE_CITY, "Sara Hildénin taidemuseo", "culture"),
            ("Työväenmuseo Werstas", "Työväenmuseo Werstas", "culture"),
            ("Työväenmuseo Werstas", "Lenin-museo", "culture"),
            ("Emil Aaltosen museo", "Emil Aaltosen museo", "culture"),
            # Theatres
            ("Tampereen Teatteri", "Tampereen Teatteri", "culture"),
            ("Tampereen Työväen Teatteri", "Tampereen Työväen Teatteri", "culture"),
            ("Tampereen Komediateatteri", "Tampereen Komediateatteri", "culture"),
            ("Tanssiteatteri MD", "Tanssiteatteri MD", "culture"),
            ("Teatteri Telakka", "Teatteri Telakka", "culture"),
            ("Tukkateatteri", "Tukkateatteri", "culture"),
            # Music
            (TAMPERE_CITY, "Tampere Filharmonia", "culture"),
            # Festivals
            ("Tampereen musiikkijuhlat", "Tampereen musiikkijuhlat", "culture"),
            ("Tampere Biennale", "Tampere Biennale", "culture"),
            ("Tampere Jazz Happening", "Tampere Jazz Happening", "culture"),
            ("Tanssivirtaa Tampereella", "Tanssivirtaa Tampereella", "culture"),
            ("Tampereen Teatterikesä", "Tampereen Teatterikesä", "culture"),
            ("Tampereen Elokuvajuhlat", "Tampereen Elokuvajuhlat", "culture"),
            # Adult education and courses
            (TAMPERE_CITY, "Tampereen seudun työväenopisto", "education"),
            ("TREenit! ry", "TREenit! ry", "education"),
        ],
    },
    {
        "slug": "valkeakoski",
        "name": "Valkeakoski",
        "name_sv": "",
        "municipalities": ["908"],
        "status": "pilot",
        "pilot": PILOT_2024_25,
        "distributors": [
            ("Valkeakosken kaupunki", "Valkeakosken Ohjaamo"),
            ("Sääksmäen seurakunta", "Sääksmäen seurakunta"),
            (PIRHA, "Valkeakosken Lähitori"),
            (PIRHA, "Valkeakosken työikäisten sosiaalityö ja -ohjaus"),
            (PIRHA, "Lasten, nuorten ja perheiden asiakasohjaus ja varhainen tuki, Valkeakoski"),
            (PIRHA, "Aikuispsykiatrian yksikkö, Valkeakoski"),
        ],
        "venues": [
            ("Valkeakosken kaupunginteatteri", "Valkeakosken kaupunginteatteri", "culture"),
            ("Voipaalan taidekeskus", "Voipaalan taidekeskus", "culture"),
            ("Myllysaaren museo", "Myllysaaren museo", "culture"),
            ("Valkeakosken kaupunki", "Valkeakosken uimahalli", "sports"),
            ("Valkeakosken kaupunki", "Valkeakoski-opisto", "education"),
        ],
    },
    {
        "slug": "nokia",
        "name": "Nokia",
        "name_sv": "",
        "municipalities": ["536"],
        "status": "pilot",
        "pilot": PILOT_2024_25,
        "distributors": [
            ("Nokian kaupunki", "Kotoutujien palvelut"),
            ("Nokian kaupunki", "Varikon valmennusyksikkö"),
            ("Nokian kaupunki", "Etsivä nuorisotyö, Nokia"),
            ("Nokian kaupunki", "Varhaiskasvatuksen perheiden tuki"),
            (PIRHA, "Aikuissosiaalityö, Nokia"),
            (PIRHA, "Gerontologinen sosiaalityö, Nokia"),
            (PIRHA, "Lapsiperheiden sosiaali- ja perhetyö, Nokia"),
            ("Nokian seurakunta", "Nokian seurakunnan diakoniatyö"),
        ],
        "venues": [
            ("Pirkan opisto", "Pirkan opisto", "education"),
            ("Nokian Työväen Teatteri", "Nokian Työväen Teatteri", "culture"),
            ("Pyry Hockey", "Pyry Hockey (Suomi-sarjan ottelut)", "sports"),
            ("Filmipyörä", "Filmipyörän elokuvat", "culture"),
        ],
    },
    {
        "slug": "orivesi",
        "name": "Orivesi",
        "name_sv": "",
        "municipalities": ["562"],
        "status": "pilot",
        "pilot": PILOT_2024_25,
        "distributors": [
            ("Oriveden kaupunki", "Oriveden työllisyyspalvelut"),
            (PIRHA, "Työikäisten sosiaalityö, Orivesi"),
            (PIRHA, "Oriveden psykiatrian poliklinikka"),
        ],
        "venues": [
            ("Oriveden kaupunki", "Oriveden seudun kansalaisopisto", "education"),
            ("Oriveden kampus", "Oriveden kampus", "education"),
        ],
    },
]

POPUP_PERIOD = (dt.date(2024, 1, 1), dt.date(2025, 12, 31))

# (organisation, venue, Swedish name, English name, category, municipality code)
POPUP_VENUES = [
    ("Amos Rex", "Amos Rex", "", "", "culture", "091"),
    (
        "Kansallisgalleria",
        "Ateneumin taidemuseo",
        "Konstmuseet Ateneum",
        "Ateneum Art Museum",
        "culture",
        "091",
    ),
    (
        "Kansallisgalleria",
        "Nykytaiteen museo Kiasma",
        "Museet för nutidskonst Kiasma",
        "Museum of Contemporary Art Kiasma",
        "culture",
        "091",
    ),
    (
        "Kansallisgalleria",
        "Sinebrychoffin taidemuseo",
        "Konstmuseet Sinebrychoff",
        "Sinebrychoff Art Museum",
        "culture",
        "091",
    ),
    (
        "Suomen valokuvataiteen museo",
        "Suomen valokuvataiteen museo, Kaapelitehdas",
        "Finlands fotografiska museum, Kabelfabriken",
        "The Finnish Museum of Photography, Cable Factory",
        "culture",
        "091",
    ),
    (
        "Suomen valokuvataiteen museo",
        "Suomen valokuvataiteen museo, K1 Kämp Galleria",
        "Finlands fotografiska museum, K1 Kämp Galleria",
        "The Finnish Museum of Photography, K1 Kämp Galleria",
        "culture",
        "091",
    ),
    (
        "Tiedekeskus Heureka",
        "Tiedekeskus Heureka",
        "Vetenskapscentret Heureka",
        "Heureka, the Finnish Science Centre",
        "science",
        "092",
    ),
]

# --- the public catalogue's content (public/): what each venue offers cardholders ----------------
# What a venue of each category offers when its entry says nothing more.
CATEGORY_OFFERS = {
    "culture": ["entry", "events"],
    "education": ["courses"],
    "science": ["entry"],
    "sports": ["sports", "events"],
}

REGION_DESCRIPTIONS = {
    "tampere": (
        "Tampereella Kaikukortilla pääsee maksutta museoihin, teattereihin, konsertteihin, "
        "festivaaleille ja työväenopiston kursseille.",
        "I Tammerfors ger Kaikukortet fritt inträde till museer, teatrar, konserter, festivaler "
        "och kurser vid arbetarinstitutet.",
        "In Tampere the Kaikukortti gives free entry to museums, theatres, concerts, festivals and "
        "courses at the adult education centre.",
    ),
    "valkeakoski": (
        "Valkeakosken kokeilussa mukana ovat kaupunginteatteri, museot, uimahalli ja opisto.",
        "",
        "The Valkeakoski pilot includes the city theatre, museums, the swimming hall and the adult "
        "education centre.",
    ),
}

# venue name: (street address, web page, description fi, sv, en, accessibility fi, en, offers or
# None for the category's, child tickets)
VENUE_CATALOGUE = {
    "Vapriikki": (
        "Alaverstaanraitti 5",
        "https://www.vapriikki.fi/",
        "Museokeskus Tampellan vanhassa tehdasrakennuksessa: luonnontiede, historia, pelit ja "
        "jääkiekko.",
        "Museicentral i en gammal fabrik i Tampella: naturvetenskap, historia, spel och ishockey.",
        "A museum centre in an old Tampella factory: natural history, games and ice hockey.",
        "Esteetön sisäänkäynti, hissit kaikkiin kerroksiin, induktiosilmukka infossa.",
        "Step-free entrance, lifts to every floor, hearing loop at the information desk.",
        None,
        True,
    ),
    "Tampereen taidemuseo": (
        "Puutarhakatu 34",
        "https://taidemuseo.fi/",
        "Suomalaista taidetta ja vaihtuvia näyttelyitä Pyynikin laidalla.",
        "Finsk konst och växlande utställningar vid Pyynikki.",
        "Finnish art and changing exhibitions by Pyynikki.",
        "Sisäänkäynnillä luiska; näyttelytilat yhdessä kerroksessa.",
        "A ramp at the entrance; the exhibitions are on one floor.",
        None,
        True,
    ),
    "Muumimuseo": (
        "Yliopistonkatu 55",
        "https://muumimuseo.fi/",
        "Tove Janssonin alkuperäisiä Muumi-kuvituksia Tampere-talossa.",
        "Tove Janssons originalillustrationer av Mumin i Tammerforshuset.",
        "Tove Jansson's original Moomin illustrations in Tampere Hall.",
        "Esteetön, hissi, pyörätuolin lainaus.",
        "Step-free, lift, wheelchairs to borrow.",
        None,
        True,
    ),
    "Tampereen Teatteri": (
        "Keskustori 2",
        "https://www.tampereenteatteri.fi/",
        "Näytelmiä ja musikaaleja keskustorin laidalla. Kaikukortilla lippuja rajoitetusti "
        "esityksiin; kysy lipunmyynnistä.",
        "Pjäser och musikaler vid Centraltorget. Med Kaikukortet finns ett begränsat antal biljetter.",
        "Plays and musicals on the central square; a limited number of Kaikukortti tickets per "
        "performance, ask at the box office.",
        "Pyörätuolipaikkoja suurella näyttämöllä, induktiosilmukka.",
        "Wheelchair places in the main auditorium, hearing loop.",
        ["events"],
        True,
    ),
    "Tampere Filharmonia": (
        "Yliopistonkatu 55",
        "https://tamperefilharmonia.fi/",
        "Sinfoniakonsertteja Tampere-talossa.",
        "Symfonikonserter i Tammerforshuset.",
        "Symphony concerts in Tampere Hall.",
        "Esteetön sali, induktiosilmukka.",
        "Step-free hall, hearing loop.",
        ["events"],
        False,
    ),
    "Tampereen seudun työväenopisto": (
        "Sammonkatu 2",
        "https://www.tampere.fi/tyovaenopisto",
        "Kursseja kielistä käsitöihin ja liikuntaan; Kaikukortilla muutama kurssipaikka "
        "lukukaudessa.",
        "Kurser i språk, hantverk och motion; några kursplatser per termin med Kaikukortet.",
        "Courses from languages to crafts and exercise; a few places a term for cardholders.",
        "",
        "",
        ["courses", "sports"],
        False,
    ),
    "Valkeakosken uimahalli": (
        "Lepolankatu 2",
        "",
        "Uinti ja kuntosali.",
        "Simning och gym.",
        "Swimming and a gym.",
        "Allasnostin, esteettömät pukuhuoneet.",
        "A pool hoist, accessible changing rooms.",
        ["sports"],
        True,
    ),
    "Tiedekeskus Heureka": (
        "Tiedepuisto 1, Vantaa",
        "https://www.heureka.fi/",
        "Tiedekeskus, jossa tiedettä kokeillaan itse.",
        "Ett vetenskapscenter där man prövar själv.",
        "A science centre where you try science yourself.",
        "Esteetön, pyörätuolien lainaus.",
        "Step-free, wheelchairs to borrow.",
        ["entry"],
        True,
    ),
}
