"""The accessibility statement and the privacy notice: their default texts in three languages, the
text shown (the national administrator's own, as they wrote it, or the default, with the retention
periods of the settings written into it), and how a text is drawn.

The texts are plain text, so that whoever keeps them needs no markup: a blank line starts a new
paragraph, a line that starts with "## " is a heading and lines that start with "- " make a list.
Web and e-mail addresses become links."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import normalize_newlines
from django.utils.translation import get_language

from .models import LegalPage

# When the default texts were last checked against the law and the service (shown as their date).
DEFAULTS_DATED = dt.date(2026, 12, 6)

ACCESSIBILITY_FI = """\
Tämä saavutettavuusseloste koskee Kaikukanta-palvelua: Kaikukortin julkisia sivuja (etusivu, \
tarjonta, mobiilikortti) sekä kortinjakajien, kohteiden ja vastuuhenkilöiden työsivuja. Digitaalisten \
palvelujen tarjoamisesta annettu laki (306/2019) edellyttää, että julkisilla verkkopalveluilla on \
saavutettavuusseloste.

## Saavutettavuuden tila
Palvelu täyttää WCAG 2.1 -ohjeiden AA-tason vaatimukset osittain. Alla on lueteltu tunnetut puutteet.

## Tunnetut puutteet
- Tulostettavat PDF-tiedostot (alueen esite, tulostettavat kortit ja vuosiraportti) eivät ole \
saavutettavia: niissä ei ole rakennetta, jonka ruudunlukija voisi lukea. Samat tiedot ovat \
saavutettavina verkkosivuina (tarjonta ja tilastot).
- Henkilökunnan lomakkeet kertovat virheet osin vaihe kerrallaan, eikä lomakkeen alussa ole kaikkien \
virheiden yhteenvetoa.
- Henkilökunnan sivujen valikko vie kapealla puhelimen näytöllä paljon tilaa.
- Tilastojen kaaviot on piilotettu ruudunlukijoilta; niiden luvut ovat kaavion alla taulukkona.

Puutteet korjataan palvelun kehityksen yhteydessä.

## Miten saavutettavuus on arvioitu
Seloste perustuu palvelun kehittäjien omaan arvioon. Jokainen sivu tarkistetaan automaattisissa \
selaintesteissä axe-core-työkalulla, ja julkiset sivut tarkistetaan 320 pikselin levyisellä näytöllä \
ja 200 prosentin tekstikoolla.

## Palaute ja yhteystiedot
Huomasitko saavutettavuuspuutteen? Kerro siitä palvelun ylläpitäjälle, Kaikukeskukselle \
(Kulttuuria kaikille -palvelu), www.kaikukortti.fi. Vastaamme palautteeseen 14 päivän kuluessa.

## Valvontaviranomainen
Jos et ole tyytyväinen saamaasi vastaukseen tai et saa vastausta kahden viikon aikana, voit tehdä \
ilmoituksen valvontaviranomaiselle. Digitaalisten palvelujen saavutettavuutta valvoo Liikenne- ja \
viestintävirasto Traficom (ennen 1.1.2025 Etelä-Suomen aluehallintovirasto). Ohjeet ilmoituksen \
tekemiseen ovat osoitteessa www.saavutettavuusvaatimukset.fi.
"""

ACCESSIBILITY_SV = """\
Detta tillgänglighetsutlåtande gäller tjänsten Kaikukanta: Kaikukortets offentliga sidor (startsidan, \
utbudet, mobilkortet) och arbetssidorna för kortutdelare, kulturobjekt och ansvarspersoner. Lagen om \
tillhandahållande av digitala tjänster (306/2019) kräver att offentliga webbtjänster har ett \
tillgänglighetsutlåtande.

## Tillgänglighetsstatus
Tjänsten uppfyller delvis kraven på nivå AA i riktlinjerna WCAG 2.1. De kända bristerna räknas upp nedan.

## Kända brister
- PDF-filerna för utskrift (regionens broschyr, korten för utskrift och årsrapporten) är inte \
tillgängliga: de saknar en struktur som en skärmläsare kan läsa. Samma uppgifter finns som tillgängliga \
webbsidor (utbudet och statistiken).
- Personalens formulär visar felen delvis ett steg i taget, och formuläret saknar en sammanfattning av \
alla fel i början.
- Menyn på personalens sidor tar mycket plats på en smal telefonskärm.
- Statistikens diagram är dolda för skärmläsare; deras siffror finns i en tabell under diagrammet.

Bristerna åtgärdas när tjänsten utvecklas.

## Hur tillgängligheten har bedömts
Utlåtandet bygger på tjänstens utvecklares egen bedömning. Varje sida kontrolleras i automatiska \
webbläsartester med verktyget axe-core, och de offentliga sidorna kontrolleras på en 320 pixlar bred \
skärm och med 200 procents textstorlek.

## Respons och kontaktuppgifter
Har du märkt en brist i tillgängligheten? Berätta om den för tjänstens upprätthållare, Kaikukeskus \
(tjänsten Kultur för alla), www.kaikukortti.fi. Vi svarar inom 14 dagar.

## Tillsynsmyndighet
Om du inte är nöjd med svaret eller inte får något svar inom två veckor, kan du göra en anmälan till \
tillsynsmyndigheten. Tillgängligheten av digitala tjänster övervakas av Transport- och \
kommunikationsverket Traficom (före 1.1.2025 Regionförvaltningsverket i Södra Finland). Anvisningar för \
anmälan finns på www.saavutettavuusvaatimukset.fi.
"""

ACCESSIBILITY_EN = """\
This accessibility statement covers the Kaikukanta service: the Kaikukortti's public pages (the front \
page, the offering, the mobile card) and the work pages of distributors, venues and regional \
coordinators. The Act on the Provision of Digital Services (306/2019) requires public web services to \
have an accessibility statement.

## Compliance status
The service partially meets the level AA requirements of the WCAG 2.1 guidelines. The known gaps are \
listed below.

## Known gaps
- The PDF files for printing (the region's brochure, the cards to print and the yearly report) are not \
accessible: they have no structure a screen reader could read. The same information is available as \
accessible web pages (the offering and the statistics).
- Staff forms report errors partly one step at a time, and a form has no summary of all its errors at \
the top.
- The menu of the staff pages takes much room on a narrow phone screen.
- The statistics charts are hidden from screen readers; their figures are in a table under each chart.

The gaps will be fixed as the service is developed.

## How accessibility was assessed
This statement is based on the service developers' own assessment. Every page is checked with the \
axe-core tool in automated browser tests, and the public pages are checked on a 320-pixel-wide screen \
and with text at 200 per cent.

## Feedback and contact
Did you notice an accessibility gap? Tell the service's maintainer, Kaikukeskus (the Culture for All \
Service), www.kaikukortti.fi. We answer within 14 days.

## Enforcement authority
If you are not satisfied with the answer, or you get no answer within two weeks, you can notify the \
enforcement authority. The accessibility of digital services is supervised by the Finnish Transport \
and Communications Agency Traficom (before 1 January 2025, the Regional State Administrative Agency for \
Southern Finland). Instructions for the notification are at www.saavutettavuusvaatimukset.fi.
"""

PRIVACY_FI = """\
Tämä tietosuojaseloste kertoo, mitä tietoja Kaikukanta-rekisteri pitää Kaikukortin haltijoista ja \
palvelun käyttäjistä, miksi ja kuinka kauan, ja mitä oikeuksia sinulla on (EU:n yleinen \
tietosuoja-asetus, artiklat 13 ja 14).

## Rekisterinpitäjä
Kaikukeskus, Kaikukortin valtakunnallinen tuki- ja kehittämispalvelu (Kulttuuria kaikille -palvelu), \
www.kaikukortti.fi.

## Käsittelyn tarkoitukset
- Kaikukortin voimassaolon tarkistaminen ja korttien käyttökertojen kirjaaminen kohteissa.
- Korttien rekisteröinti, uusiminen ja sulkeminen kortinjakajien luona.
- Tilastot, raportointi ja toiminnan kehittäminen. Tilastoissa pienet luvut piilotetaan, jotta ketään \
ei voi tunnistaa.

## Mitä tietoja kortista pidetään
Rekisteri ei koskaan tallenna kortinhaltijan nimeä, henkilötunnusta, syntymäaikaa eikä osoitetta.
- Pakolliset: syntymävuosi, asuinpaikan postinumero ja alle 18-vuotiaiden lasten ja lastenlasten määrä.
- Vapaaehtoiset: elämäntilanne, sukupuoli ja hyvinvointikyselyn (WHO-5) vastaukset korttia annettaessa \
ja uusittaessa.
- Kortin numero, voimassaolo, alue ja kortin rekisteröinyt kortinjakaja.
- Jokaisesta käyttökerrasta: kohde, päivä, luokka sekä aikuisten ja lasten lippujen määrä.
- Mobiilikortin palaute tallennetaan ilman korttia: vain alue ja päivä.

Henkilökunnasta pidetään käyttäjätunnus, nimi, sähköpostiosoite, roolit ja kirjautumiset sekä \
tarkastusloki siitä, kuka on tehnyt mitäkin.

## Mistä tiedot saadaan
Kortinjakaja kirjaa kortin tiedot asiakastapaamisessa kortinhaltijan kertomana. Kohteet kirjaavat \
käyttökerrat.

## Kuka tietoja näkee
Kohteet näkevät vain kortin voimassaolon ja lasten määrän, eivät koskaan kortin myöntänyttä \
kortinjakajaa. Alueen vastuuhenkilöt näkevät alueensa tiedot ja tilastot. Tietoja ei luovuteta \
eikä siirretä EU:n ja ETA:n ulkopuolelle.

## Säilytys
Kortin numero, alue, päivämäärät ja käyttökerrat säilytetään toiminnan tilastointia ja kehittämistä \
varten. Muut tiedot poistetaan säännöllisesti:

- Kortinhaltijan tiedot (syntymävuosi, postinumero, lasten määrä, elämäntilanne ja sukupuoli), \
vapaaehtoiset hyvinvointivastaukset ja mobiilikortin linkit poistetaan {holder_data} kuluttua siitä, \
kun kortti suljettiin tai sen voimassaolo päättyi. Käyttökerrat lasketaan tilastoissa edelleen, mutta \
niitä ei voi enää yhdistää näihin tietoihin.
- Tarkastuslokin tapahtumat poistetaan {audit} kuluttua. Tiedot käyttöoikeuksien antamisesta ja \
poistamisesta säilytetään niin kauan kuin rekisteri on käytössä.
- Henkilökunnan kirjautumistiedot (osoite ja selain) poistetaan {logins} kuluttua.
- Perutut mobiilikortin linkit poistetaan {links} kuluttua perumisesta.
- Peruttujen ja toistettujen pyyntöjen tekniset tunnisteet poistetaan {request_keys} kuluttua.

## Sinun oikeutesi
Sinulla on oikeus saada tietää, mitä tietoja kortistasi on tallennettu, pyytää virheellisten tietojen \
korjaamista, vapaaehtoisten tietojen poistamista ja kortin sulkemista. Kortinhaltija voi tehdä \
pyynnön kortinjakajalle, joka antoi kortin, tai rekisterinpitäjälle. Koska rekisterissä ei ole \
nimeä, kortti tunnistetaan sen numerosta. Sinulla on myös oikeus tehdä valitus \
tietosuojavaltuutetun toimistolle, www.tietosuoja.fi.
"""

PRIVACY_SV = """\
Denna dataskyddsbeskrivning berättar vilka uppgifter registret Kaikukanta har om innehavare av \
Kaikukortet och om tjänstens användare, varför och hur länge, och vilka rättigheter du har (EU:s \
allmänna dataskyddsförordning, artiklarna 13 och 14).

## Personuppgiftsansvarig
Kaikukeskus, Kaikukortets nationella stöd- och utvecklingstjänst (tjänsten Kultur för alla), \
www.kaikukortti.fi.

## Ändamål med behandlingen
- Att kontrollera Kaikukortets giltighet och registrera användningen av korten vid kulturobjekten.
- Att registrera, förnya och stänga kort hos kortutdelarna.
- Statistik, rapportering och utveckling av verksamheten. I statistiken döljs små tal så att ingen \
kan identifieras.

## Vilka uppgifter om kortet som sparas
Registret sparar aldrig kortinnehavarens namn, personbeteckning, födelsedatum eller adress.
- Obligatoriska: födelseår, postnummer för boningsorten och antalet barn och barnbarn under 18 år.
- Frivilliga: livssituation, kön och svaren på välbefinnandeenkäten (WHO-5) när kortet ges och förnyas.
- Kortets nummer, giltighet, region och den kortutdelare som registrerade kortet.
- För varje användning: kulturobjekt, dag, kategori och antalet biljetter för vuxna och barn.
- Respons från mobilkortet sparas utan kortet: endast regionen och dagen.

Om personalen sparas användarnamn, namn, e-postadress, roller och inloggningar samt en \
granskningslogg över vem som har gjort vad.

## Varifrån uppgifterna fås
Kortutdelaren registrerar kortets uppgifter vid ett klientmöte enligt vad kortinnehavaren berättar. \
Kulturobjekten registrerar användningarna.

## Vem som ser uppgifterna
Kulturobjekten ser endast kortets giltighet och antalet barn, aldrig vilken kortutdelare som gav \
kortet. Regionens ansvarspersoner ser regionens uppgifter och statistik. Uppgifterna lämnas inte ut \
och överförs inte utanför EU och EES.

## Lagring
Kortets nummer, region, datum och användningar sparas för verksamhetens statistik och utveckling. \
Övriga uppgifter raderas regelbundet:

- Kortinnehavarens uppgifter (födelseår, postnummer, antal barn, livssituation och kön), de frivilliga \
svaren om välbefinnande och mobilkortets länkar raderas {holder_data} efter att kortet stängdes eller \
dess giltighet upphörde. Användningarna räknas fortfarande i statistiken, men de kan inte längre \
kopplas till dessa uppgifter.
- Händelserna i granskningsloggen raderas efter {audit}. Uppgifterna om beviljade och återkallade \
användarrättigheter sparas så länge registret används.
- Personalens inloggningsuppgifter (adress och webbläsare) raderas efter {logins}.
- Återkallade mobilkortslänkar raderas {links} efter återkallandet.
- Tekniska identifierare för annullerade och upprepade begäranden raderas efter {request_keys}.

## Dina rättigheter
Du har rätt att få veta vilka uppgifter om ditt kort som sparats, att begära att felaktiga uppgifter \
rättas, att frivilliga uppgifter raderas och att kortet stängs. Kortinnehavaren kan vända sig till \
kortutdelaren som gav kortet eller till den personuppgiftsansvarige. Eftersom registret inte har \
något namn, identifieras kortet med sitt nummer. Du har också rätt att lämna in ett klagomål till \
dataombudsmannens byrå, www.tietosuoja.fi/sv.
"""

PRIVACY_EN = """\
This privacy notice tells what the Kaikukanta registry keeps about Kaikukortti holders and the \
service's users, why and for how long, and what your rights are (the EU General Data Protection \
Regulation, Articles 13 and 14).

## Controller
Kaikukeskus, the Kaikukortti's national support and development service (the Culture for All \
Service), www.kaikukortti.fi.

## Purposes
- Checking that a Kaikukortti is valid and recording the uses of cards at venues.
- Registering, renewing and closing cards at distributors.
- Statistics, reporting and developing the programme. Small counts are hidden in the statistics so \
that no one can be singled out.

## What is kept about a card
The registry never keeps a cardholder's name, personal identity code, date of birth or address.
- Required: year of birth, postcode of residence and the number of children and grandchildren under 18.
- Optional: life situation, gender and the answers to the wellbeing questionnaire (WHO-5) when the \
card is given and renewed.
- The card's number, validity, region and the distributor that registered it.
- For each use: the venue, the day, the category and the number of adult and child tickets.
- Feedback from the mobile card is kept without the card: only the region and the day.

About staff, the registry keeps the user name, name, e-mail address, roles and logins, and an audit \
trail of who did what.

## Where the data comes from
The distributor records the card's data in a client meeting as the cardholder tells it. Venues record \
the uses.

## Who sees the data
Venues see only a card's validity and the number of children, never the distributor that issued the \
card. A region's coordinators see their region's data and statistics. The data is not disclosed to \
others or transferred outside the EU and the EEA.

## Retention
A card's number, region, dates and uses are kept for the programme's statistics and development. \
Other data is deleted regularly:

- The cardholder's data (birth year, postcode, number of children, life situation and gender), the \
optional wellbeing answers and the mobile-card links are deleted {holder_data} after the card was \
closed or its validity ended. The uses still count in the statistics, but can no longer be linked to \
this data.
- Audit trail events are deleted after {audit}. Records of access rights given and taken away are \
kept as long as the registry is in use.
- Staff login records (address and browser) are deleted after {logins}.
- Revoked mobile-card links are deleted {links} after they were revoked.
- Technical keys of cancelled and repeated requests are deleted after {request_keys}.

## Your rights
You have the right to know what is kept about your card, to ask for wrong data to be corrected, for \
optional data to be deleted and for the card to be closed. A cardholder can ask the distributor that \
gave the card, or the controller. As the registry has no names, a card is identified by its number. \
You also have the right to lodge a complaint with the Office of the Data Protection Ombudsman, \
www.tietosuoja.fi/en.
"""

DEFAULTS: dict[str, dict[str, str]] = {
    LegalPage.Kind.ACCESSIBILITY: {
        "fi": ACCESSIBILITY_FI,
        "sv": ACCESSIBILITY_SV,
        "en": ACCESSIBILITY_EN,
    },
    LegalPage.Kind.PRIVACY: {"fi": PRIVACY_FI, "sv": PRIVACY_SV, "en": PRIVACY_EN},
}

FIELD_OF_LANGUAGE = {"fi": "text", "sv": "text_sv", "en": "text_en"}


def _years(count: int, language: str) -> str:
    if language == "fi":
        return f"{count} vuoden"  # "2 vuoden kuluttua"
    if language == "sv":
        return f"{count} år"
    return f"{count} year" if count == 1 else f"{count} years"


def _days(count: int, language: str) -> str:
    if language == "fi":
        return f"{count} päivän"  # "90 päivän kuluttua"
    if language == "sv":
        return f"{count} dag" if count == 1 else f"{count} dagar"
    return f"{count} day" if count == 1 else f"{count} days"


def retention_periods(language: str) -> dict[str, str]:
    """The periods of the retention policy (stats/retention.py), as the privacy notice states them:
    read from the settings the purge applies, so the notice says what the registry does."""
    return {
        "holder_data": _years(settings.KAIKUKANTA_RETAIN_HOLDER_DATA_YEARS, language),
        "audit": _years(settings.KAIKUKANTA_RETAIN_AUDIT_YEARS, language),
        "logins": _days(settings.KAIKUKANTA_RETAIN_LOGIN_DAYS, language),
        "links": _days(settings.KAIKUKANTA_RETAIN_HAND_OVER_DAYS, language),
        "request_keys": _days(settings.KAIKUKANTA_RETAIN_REQUEST_KEY_DAYS, language),
    }


def default_text(kind: str, language: str) -> str:
    """A page's default text in `language`, with the retention periods of this installation."""
    return DEFAULTS[kind][language].format_map(retention_periods(language))


@dataclass(frozen=True)
class Shown:
    """A legal page as shown in one language: its text and the day it was last changed."""

    text: str
    updated_on: dt.date
    is_default: bool


def shown(kind: str, language: str | None = None) -> Shown:
    """The page in `language` (the current one by default): the national administrator's text, or
    the default where they have not written one for that language."""
    language = (language or get_language() or "fi")[:2]
    if language not in FIELD_OF_LANGUAGE:
        language = "fi"
    page = LegalPage.objects.filter(kind=kind).first()
    own = getattr(page, FIELD_OF_LANGUAGE[language], "") if page else ""
    if own.strip() and page is not None and page.updated_at is not None:
        return Shown(own, timezone.localdate(page.updated_at), is_default=False)
    return Shown(default_text(kind, language), DEFAULTS_DATED, is_default=True)


def render(text: str) -> SafeString:
    """The plain text as HTML: paragraphs, "## " headings and "- " lists, every part escaped."""
    from django.utils.html import urlize

    html: list[str] = []
    for block in normalize_newlines(text).strip().split("\n\n"):
        lines = [line.strip() for line in block.split("\n") if line.strip()]
        while lines and lines[0].startswith("## "):
            html.append(format_html("<h2>{}</h2>", lines.pop(0)[3:].strip()))
        if not lines:
            continue
        if all(line.startswith("- ") for line in lines):
            items = ((mark_safe(urlize(line[2:].strip(), autoescape=True)),) for line in lines)  # noqa: S308
            html.append(format_html("<ul>{}</ul>", format_html_join("", "<li>{}</li>", items)))
        else:
            paragraph = urlize(" ".join(lines), autoescape=True)
            html.append(format_html("<p>{}</p>", mark_safe(paragraph)))  # noqa: S308
    return mark_safe("\n".join(html))  # noqa: S308
