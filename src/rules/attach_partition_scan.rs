//! attach-partition-scan: ATTACH PARTITION that scans the attached table (no validated CHECK
//! implying the bound) or the DEFAULT partition under ACCESS EXCLUSIVE.

use super::{Context, Rule};
use crate::config::Level;
use crate::finding::Finding;
use crate::locks::Action;
use crate::model::{AlterAction, Stmt, StmtKind};

/// The rule.
pub(crate) const RULE: Rule = Rule {
    code: "LL034",
    name: "attach-partition-scan",
    default_level: Level::Error,
    summary: "ATTACH PARTITION scans the attached table or the DEFAULT partition under ACCESS EXCLUSIVE",
    doc: include_str!("../../rules/attach-partition-scan.md"),
    check,
    part_end: None,
};

fn check(stmt: &Stmt, cx: &Context) -> Vec<Finding> {
    let StmtKind::AlterTable { table, actions, .. } = &stmt.kind else {
        return Vec::new();
    };
    let mut out = Vec::new();
    // Before PostgreSQL 12 the partitioned table itself is locked ACCESS EXCLUSIVE as well.
    let parent_blocked = match cx.effects.lock_on(table) {
        Some(m) if m.blocks().reads => format!(
            "; the partitioned table `{table}` is locked {} too (PostgreSQL {} < 12), so all its reads and writes wait",
            m.sql_name(),
            cx.settings.postgres_version
        ),
        _ => String::new(),
    };
    for w in cx.effects.direct_work() {
        let Some(a) = actions.get(usize::from(w.cause.clause)) else {
            continue;
        };
        let AlterAction::AttachPartition { partition, default } = &a.action else {
            continue;
        };
        let h = cx.work_hazard(w);
        if w.cause.action == Action::AttachPartitionScan {
            let message = format!(
                "ATTACH PARTITION reads every row of {} to prove it fits the partition bound, holding {} on it ({} blocked){}{parent_blocked}",
                h.described,
                h.lock_name(),
                h.blocked(),
                h.for_how_long,
            );
            let bound = if *default {
                "NOT of the other partitions' bounds"
            } else {
                "the partition key IS NOT NULL and within the FOR VALUES bounds"
            };
            let check = crate::model::sql::quote_ident(&crate::model::sql::object_name(
                &partition.name,
                None,
                "bound",
            ))
            .into_owned();
            let p = partition.sql();
            let help = format!(
                "Prove the bound beforehand with a CHECK constraint that matches it ({bound}), added NOT VALID and validated: VALIDATE takes only SHARE UPDATE EXCLUSIVE (reads and writes continue), and ATTACH then skips its scan:\n  ALTER TABLE {p} VALIDATE CONSTRAINT {check};\nThen the statement as written, and the CHECK is no longer needed:\n  {};\n  ALTER TABLE {p} DROP CONSTRAINT {check};",
                cx.text(&stmt.span).trim().trim_end_matches(';').trim_end()
            );
            out.push(
                Finding::new(&RULE, a.span.clone(), message, help)
                    .label(format!("scans the attached table under {}", h.lock_name()))
                    .hazard(&h),
            );
        }
        if *default || w.cause.action != Action::AttachDefaultPartitionScan {
            continue;
        }
        let def = &w.rel;
        let message = format!(
            "ATTACH PARTITION reads every row of the DEFAULT partition {} to check that none belongs to `{partition}`, holding {} on it{}: reads and writes of `{def}` block, and so do plain SELECTs on the whole partitioned table `{table}`{parent_blocked}",
            h.described,
            h.lock_name(),
            h.for_how_long,
        );
        let check = crate::model::sql::quote_ident(&crate::model::sql::object_name(
            &def.name, None, "excl",
        ))
        .into_owned();
        let help = format!(
            "Give the DEFAULT partition a CHECK constraint that excludes the new partition's range (NOT of its FOR VALUES bounds), added NOT VALID and validated (VALIDATE takes only SHARE UPDATE EXCLUSIVE), so ATTACH can skip the scan:\n  ALTER TABLE {} VALIDATE CONSTRAINT {check};\nThen the statement as written:\n  {};",
            def.sql(),
            cx.text(&stmt.span).trim().trim_end_matches(';').trim_end()
        );
        out.push(
            Finding::new(&RULE, a.span.clone(), message, help)
                .label(format!(
                    "scans the DEFAULT partition under {}",
                    h.lock_name()
                ))
                .hazard(&h),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{hits, lines};

    const RULE: &str = "attach-partition-scan";
    const SETUP: &str = "CREATE TABLE events (id bigint, created date) PARTITION BY RANGE (created);\nCREATE TABLE events_default PARTITION OF events DEFAULT;\nCREATE TABLE events_2025 (id bigint, created date);\n";
    const ATTACH: &str = "ALTER TABLE events ATTACH PARTITION events_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');\n";

    #[test]
    fn scans_of_the_partition_and_of_the_default_partition() {
        let h = hits(RULE, "", &[SETUP, ATTACH]);
        assert_eq!(h.len(), 2, "{h:?}");
        assert!(h[0].message.contains("every row of `events_2025`"));
        assert!(h[1].message.contains("DEFAULT partition `events_default`"));
        assert!(
            h[1].message
                .contains("plain SELECTs on the whole partitioned table `events`")
        );
        assert!(
            h[1].help
                .contains("ALTER TABLE events_default VALIDATE CONSTRAINT events_default_excl;")
        );
    }

    #[test]
    fn a_validated_check_from_an_earlier_migration_skips_the_partition_scan() {
        let check = "ALTER TABLE events_2025 ADD CONSTRAINT b CHECK (created >= '2025-01-01') NOT VALID;\nALTER TABLE events_2025 VALIDATE CONSTRAINT b;\n";
        let h = hits(RULE, "", &[SETUP, check, ATTACH]);
        assert_eq!(h.len(), 1, "{h:?}");
        assert!(h[0].message.contains("DEFAULT partition"));
        // NOT VALID alone proves nothing.
        let not_valid =
            "ALTER TABLE events_2025 ADD CONSTRAINT b CHECK (created >= '2025-01-01') NOT VALID;\n";
        assert_eq!(hits(RULE, "", &[SETUP, not_valid, ATTACH]).len(), 2);
    }

    #[test]
    fn a_check_added_to_a_table_no_migration_created_is_remembered() {
        let check = "ALTER TABLE events_2025 ADD CONSTRAINT b CHECK (created >= '2025-01-01') NOT VALID;\nALTER TABLE events_2025 VALIDATE CONSTRAINT b;\n";
        assert_eq!(lines(RULE, "", &[check, ATTACH]), vec![]);
        assert_eq!(lines(RULE, "", &[&format!("{check}{ATTACH}")]), vec![]);
        assert_eq!(lines(RULE, "", &[ATTACH]), vec![(0, 1)]);
    }

    #[test]
    fn a_validated_check_on_the_default_partition_skips_its_scan() {
        let check = "ALTER TABLE events_default ADD CONSTRAINT x CHECK (created < '2025-01-01') NOT VALID;\nALTER TABLE events_default VALIDATE CONSTRAINT x;\n";
        let h = hits(RULE, "", &[SETUP, check, ATTACH]);
        assert_eq!(h.len(), 1, "{h:?}");
        assert!(h[0].message.contains("every row of `events_2025`"));
    }

    #[test]
    fn size_of_the_scanned_table_decides() {
        let toml = "[tables]\nevents_2025 = { rows = 10 }\nevents = { rows = 900_000_000 }\n";
        let h = hits(RULE, toml, &[SETUP, ATTACH]);
        assert_eq!(h.len(), 1);
        assert!(h[0].message.contains("events_default"));
        // Everything created in the same migration is empty.
        assert_eq!(lines(RULE, "", &[&format!("{SETUP}{ATTACH}")]), vec![]);
    }

    #[test]
    fn before_12_the_partitioned_table_is_locked_too() {
        let h = hits(RULE, "postgres_version = 11", &[ATTACH]);
        assert_eq!(h.len(), 1);
        assert!(
            h[0].message
                .contains("`events` is locked ACCESS EXCLUSIVE too"),
            "{}",
            h[0].message
        );
        let h = hits(RULE, "", &[ATTACH]);
        assert!(!h[0].message.contains("locked ACCESS EXCLUSIVE too"));
    }
}
