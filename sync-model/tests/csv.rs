use sync_model::plan::{parse_csv, write_csv, CsvRow};
use sync_model::{ExportKind, PlanEntry, SyncPlan};

fn entry<'a>(distinct_id: &'a str, leanplum_id: &'a str) -> PlanEntry<'a> {
    PlanEntry {
        distinct_id,
        leanplum_id,
    }
}

fn sample() -> SyncPlan {
    SyncPlan::new(
        ExportKind::Dynamic,
        [entry("d1", "l1")],
        [entry("d2", "l,2")],
        [entry("say \"hi\"", "l3\nx")],
    )
}

#[test]
fn csv_lists_add_then_no_op_then_remove_with_rfc_4180_quoting() {
    let mut out = String::new();
    write_csv(&sample(), &mut out);
    assert_eq!(
        out,
        "distinct_id,leanplum_user_id,operation\r\n\
         d1,l1,add\r\n\
         \"say \"\"hi\"\"\",\"l3\nx\",no-op\r\n\
         d2,\"l,2\",remove\r\n"
    );
}

#[test]
fn csv_keeps_formula_like_values_exactly() {
    let plan =
        SyncPlan::new(ExportKind::OneTime, [entry("=1+1", "@x")], [], []);
    let mut out = String::new();
    write_csv(&plan, &mut out);
    assert!(out.ends_with("=1+1,@x,add\r\n"));
}

#[test]
fn csv_parses_back_into_rows() {
    let mut out = String::new();
    write_csv(&sample(), &mut out);
    assert_eq!(
        parse_csv(&out).unwrap(),
        vec![
            CsvRow {
                distinct_id: "d1".into(),
                leanplum_user_id: "l1".into(),
                operation: "add".into(),
            },
            CsvRow {
                distinct_id: "say \"hi\"".into(),
                leanplum_user_id: "l3\nx".into(),
                operation: "no-op".into(),
            },
            CsvRow {
                distinct_id: "d2".into(),
                leanplum_user_id: "l,2".into(),
                operation: "remove".into(),
            },
        ]
    );
}

#[test]
fn csv_without_the_header_is_rejected() {
    let error = parse_csv("a,b,add\n").unwrap_err();
    assert_eq!(error.record, 1);
}

#[test]
fn csv_with_an_unclosed_quote_is_rejected() {
    let text = "distinct_id,leanplum_user_id,operation\n\"a,b,add\n";
    let error = parse_csv(text).unwrap_err();
    assert_eq!(error.message, "a quoted field is never closed");
}

#[test]
fn csv_with_an_unknown_operation_is_rejected() {
    let text = "distinct_id,leanplum_user_id,operation\na,b,delete\n";
    let error = parse_csv(text).unwrap_err();
    assert_eq!(
        error.to_string(),
        "CSV record 2: the operation must be add, remove or no-op"
    );
}
