from django.core.management.base import BaseCommand, CommandError

from kaikukanta.synthetic import generator as synthetic


class Command(BaseCommand):
    help = (
        "Generate N synthetic cards and M uses in bulk, with realistic distributions, for "
        "benchmarks. Creates a synthetic national network first if the database has none (or "
        "with --regions). Bypasses the service layer: never run it on a production database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--cards", type=int, required=True, help="Number of cards to generate.")
        parser.add_argument("--uses", type=int, default=0, help="Number of uses to generate.")
        parser.add_argument(
            "--audit-events",
            type=int,
            default=0,
            help="Number of synthetic audit events to generate, for benchmarks of the audit trail "
            "(staff actions over the history, by synthetic user names; default none).",
        )
        parser.add_argument(
            "--regions",
            type=int,
            default=None,
            help="Create this many synthetic regions first (default: create "
            f"{synthetic.DEFAULT_REGIONS} only when no region can take cards).",
        )
        parser.add_argument(
            "--seed", type=int, default=None, help="Seed of the random numbers (default: random)."
        )
        parser.add_argument(
            "--batch",
            type=int,
            default=synthetic.DEFAULT_BATCH,
            help=f"Rows per COPY or INSERT batch (default {synthetic.DEFAULT_BATCH:,}).",
        )
        parser.add_argument(
            "--indexes",
            choices=synthetic.INDEX_MODES,
            default="auto",
            help="PostgreSQL: drop a table's secondary indexes, unique constraints and foreign keys "
            "during the load and recreate them from their exact definitions afterwards (rebuild), "
            "or keep them (keep). Default: rebuild when a load at least doubles a table of "
            f"{synthetic.AUTO_REBUILD_MIN_ROWS:,} rows or more.",
        )
        parser.add_argument("--quiet", action="store_true", help="Print nothing but errors.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Generate even when KAIKUKANTA_DEBUG is off. Synthetic cards spoil a real "
            "registry's statistics: never use this on a production database.",
        )

    def handle(self, *args, **options):
        if not synthetic.is_allowed() and not options["force"]:
            raise CommandError(
                "Synthetic data is generated only when KAIKUKANTA_DEBUG=1 (or with --force on a "
                "database that is not in production)."
            )
        quiet = options["quiet"] or options["verbosity"] == 0
        write = None if quiet else self.stdout.write
        try:
            generator = synthetic.SyntheticGenerator(
                cards=options["cards"],
                uses=options["uses"],
                audit_events=options["audit_events"],
                regions=options["regions"],
                seed=options["seed"],
                batch=options["batch"],
                indexes=options["indexes"],
                write=write,
            )
            if write:
                audit = options["audit_events"]
                write(
                    f"Generating {options['cards']:,} cards and {options['uses']:,} uses"
                    + (f" and {audit:,} audit events" if audit else "")
                    + f" (seed {generator.seed})."
                )
            result = generator.run()
        except ValueError as error:
            raise CommandError(str(error)) from error
        # The bulk load bypasses the models' signals: the statistics' summary tables are recomputed.
        from kaikukanta.stats.summaries import rebuild

        rebuild()
        if write:
            details = result.details
            write(
                self.style.SUCCESS(
                    f"Generated {result.cards:,} cards in {result.seconds_cards:.1f} s"
                    f"{self.indexes_text(details.get('seconds_cards_indexes'))} and "
                    f"{result.uses:,} uses in {result.seconds_uses:.1f} s"
                    f"{self.indexes_text(details.get('seconds_uses_indexes'))}"
                    + (
                        f", {result.audit_events:,} audit events in {result.seconds_audit:.1f} s"
                        f"{self.indexes_text(details.get('seconds_audit_indexes'))}"
                        if result.audit_events
                        else ""
                    )
                    + (
                        f", ANALYZE {details['seconds_analyze']:.1f} s"
                        if "seconds_analyze" in details
                        else ""
                    )
                    + f"; total {result.seconds_total:.1f} s."
                )
            )
            write(
                f"Network: {result.regions} regions issuing cards "
                f"({result.regions_created} created in {result.seconds_network:.1f} s), "
                f"{result.venues} venues. Cards: "
                f"{result.community_cards:,} community, {result.renewed_cards:,} renewed, "
                f"{result.closed_cards:,} closed, {result.cards_never_used:,} never used."
            )

    @staticmethod
    def indexes_text(seconds: float | None) -> str:
        return "" if seconds is None else f" (+ {seconds:.1f} s rebuilding indexes)"
