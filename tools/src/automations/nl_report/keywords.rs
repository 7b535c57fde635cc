//! The planner used without a model (spec 6.4): words of the question map
//! to a dataset, a period, a comparison and groupings. It never guesses a
//! dataset: a question without a dataset word is answered with example
//! questions to choose from (`NEEDS_CLARIFICATION`).

use super::catalog::{Dataset, DimensionKey, MeasureKey, definition};
use super::plan::{
    Agg, Compare, DimensionSpec, Granularity, MeasureSpec, OrderSpec, PeriodSpec, ReportPlan,
};
use crate::ToolError;

/// Example questions offered when the dataset is unclear.
pub const EXAMPLES: [&str; 3] = [
    "sales by product category last quarter",
    "open receivables by customer",
    "pipeline by stage this year",
];

/// A plan and the parts of the question it could not use.
#[derive(Debug, Clone, PartialEq)]
pub struct KeywordPlan {
    pub plan: ReportPlan,
    /// Groupings the dataset does not offer, said back as warnings.
    pub ignored: Vec<String>,
}

/// Dataset words, first match wins, so "invoices by product" is invoicing
/// and not sales.
const DATASET_WORDS: &[(Dataset, &[&str])] = &[
    (
        Dataset::Receivables,
        &[
            "receivable",
            "receivables",
            "overdue",
            "unpaid",
            "outstanding",
        ],
    ),
    (
        Dataset::Invoicing,
        &[
            "invoice",
            "invoices",
            "invoiced",
            "invoicing",
            "billing",
            "billed",
        ],
    ),
    (
        Dataset::Pipeline,
        &["lead", "leads", "pipeline", "opportunity", "opportunities"],
    ),
    (
        Dataset::Purchases,
        &["purchase", "purchases", "purchased", "purchasing"],
    ),
    (Dataset::Expenses, &["expense", "expenses"]),
    (Dataset::Stock, &["stock", "inventory"]),
    (
        Dataset::Sales,
        &["sale", "sales", "revenue", "sold", "turnover"],
    ),
    (
        Dataset::Contacts,
        &[
            "customer",
            "customers",
            "contact",
            "contacts",
            "partner",
            "partners",
        ],
    ),
];

/// A grouping phrase, the dimension it names and the date granularity.
type Grouping = (&'static str, DimensionKey, Option<Granularity>);

/// Grouping phrases and the dimension they name.
const GROUPINGS: &[Grouping] = &[
    ("product category", DimensionKey::ProductCategory, None),
    ("category", DimensionKey::ProductCategory, None),
    ("categories", DimensionKey::ProductCategory, None),
    ("product", DimensionKey::Product, None),
    ("products", DimensionKey::Product, None),
    ("customer", DimensionKey::Customer, None),
    ("customers", DimensionKey::Customer, None),
    ("partner", DimensionKey::Customer, None),
    ("client", DimensionKey::Customer, None),
    ("vendor", DimensionKey::Vendor, None),
    ("supplier", DimensionKey::Vendor, None),
    ("vendors", DimensionKey::Vendor, None),
    ("suppliers", DimensionKey::Vendor, None),
    ("salespeople", DimensionKey::Salesperson, None),
    ("countries", DimensionKey::Country, None),
    ("stages", DimensionKey::Stage, None),
    ("employees", DimensionKey::Employee, None),
    ("salesperson", DimensionKey::Salesperson, None),
    ("salesman", DimensionKey::Salesperson, None),
    ("seller", DimensionKey::Salesperson, None),
    ("team", DimensionKey::Team, None),
    ("stage", DimensionKey::Stage, None),
    ("country", DimensionKey::Country, None),
    ("employee", DimensionKey::Employee, None),
    ("state", DimensionKey::State, None),
    ("status", DimensionKey::State, None),
    ("due date", DimensionKey::DueBucket, None),
    ("age", DimensionKey::DueBucket, None),
    ("type", DimensionKey::PartnerType, None),
    ("day", DimensionKey::Date, Some(Granularity::Day)),
    ("week", DimensionKey::Date, Some(Granularity::Week)),
    ("month", DimensionKey::Date, Some(Granularity::Month)),
    ("quarter", DimensionKey::Date, Some(Granularity::Quarter)),
    ("year", DimensionKey::Date, Some(Granularity::Year)),
];

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Plans `question` from its words.
pub fn plan_from_keywords(question: &str) -> Result<KeywordPlan, ToolError> {
    let text = normalise(question);
    // What follows "compared with" names the comparison, not the period.
    let (main, compared) = split_compare(&text);
    let (groupings, rest) = take_groupings(main);
    let words: Vec<&str> = rest.split(' ').filter(|w| !w.is_empty()).collect();
    let has = |w: &str| words.contains(&w);
    let mut dataset = DATASET_WORDS
        .iter()
        .find(|(_, list)| list.iter().any(|w| has(w)))
        .map(|(d, _)| *d);
    let mut dimensions: Vec<(DimensionKey, Option<Granularity>)> = Vec::new();
    if dataset.is_none() && (has("product") || has("products")) {
        dataset = Some(Dataset::Sales);
        dimensions.push((DimensionKey::Product, None));
    }
    let Some(mut dataset) = dataset else {
        return Err(ToolError::NeedsClarification(format!(
            "the question names no dataset (sales, invoicing, receivables, pipeline, purchases, \
             expenses, stock, contacts); for example: {}",
            EXAMPLES.map(|e| format!("\"{e}\"")).join(", ")
        )));
    };
    if dataset == Dataset::Sales && (has("order") || has("orders")) {
        dataset = Dataset::SalesOrders;
    }
    let def = definition(dataset);
    let mut ignored = Vec::new();
    for (phrase, mut key, granularity) in groupings {
        // "by customer" on purchases means the vendor; "by status" on
        // invoices is the payment status.
        key = match (dataset, key) {
            (Dataset::Purchases, DimensionKey::Customer) => DimensionKey::Vendor,
            (Dataset::Invoicing, DimensionKey::State) => DimensionKey::PaymentState,
            (_, key) => key,
        };
        let offered = def.primary.dimension(key).is_some();
        if !offered || dimensions.len() == 2 {
            ignored.push(format!("by {phrase}"));
        } else if !dimensions.iter().any(|(d, _)| *d == key) {
            dimensions.push((key, granularity));
        }
    }
    let measure = if has("count") || has("many") || text.contains("number of") {
        MeasureKey::Count
    } else if has("quantity") || has("units") || has("qty") {
        MeasureKey::Quantity
    } else {
        def.default_measure
    };
    let measures = if measure != def.default_measure && def.primary.measure(measure).is_some() {
        vec![MeasureSpec {
            field: measure,
            agg: (measure == MeasureKey::Count).then_some(Agg::Count),
        }]
    } else {
        Vec::new()
    };
    let period = if def.primary.date_field.is_some() {
        period_of(&words, main)
    } else {
        None
    };
    let compare = compared.filter(|_| period.is_some()).map(|tail| {
        if tail.contains("year") {
            Compare::PreviousYear
        } else {
            Compare::PreviousPeriod
        }
    });
    let limit = top_n(&words);
    // "top 10 customers": the word after the number is the breakdown.
    if let Some(word) = words
        .windows(3)
        .find(|w| w[0] == "top" && w[1].parse::<u32>().is_ok())
        .map(|w| w[2])
        && dimensions.is_empty()
        && let Some((_, key, granularity)) = GROUPINGS.iter().find(|(p, _, _)| *p == word)
    {
        let key = match (dataset, *key) {
            (Dataset::Purchases, DimensionKey::Customer) => DimensionKey::Vendor,
            (_, key) => key,
        };
        if def.primary.dimension(key).is_some() {
            dimensions.push((key, *granularity));
        }
    }
    let order = if limit.is_some() {
        let key = measures
            .first()
            .map_or(def.default_measure, |m| m.field)
            .as_str()
            .to_owned();
        vec![OrderSpec { key, desc: true }]
    } else {
        Vec::new()
    };
    Ok(KeywordPlan {
        plan: ReportPlan {
            dataset,
            measures,
            dimensions: dimensions
                .into_iter()
                .map(|(field, granularity)| DimensionSpec { field, granularity })
                .collect(),
            filters: Vec::new(),
            period: period.map(|expression| PeriodSpec {
                expression: Some(expression),
                from: None,
                to: None,
            }),
            compare,
            order,
            limit,
            title: None,
        },
        ignored,
    })
}

/// Lower case, letters and digits only, single spaces.
fn normalise(question: &str) -> String {
    let mut text = String::new();
    for c in question.to_lowercase().chars() {
        if c.is_alphanumeric() {
            text.push(c);
        } else if !text.ends_with(' ') {
            text.push(' ');
        }
    }
    text.trim().to_owned()
}

fn split_compare(text: &str) -> (&str, Option<&str>) {
    for marker in [
        " compared with ",
        " compared to ",
        " versus ",
        " vs ",
        " against ",
    ] {
        if let Some(at) = text.find(marker) {
            return (&text[..at], Some(&text[at + marker.len()..]));
        }
    }
    (text, None)
}

/// The "by X" / "per X" phrases, and the text without them.
fn take_groupings(text: &str) -> (Vec<Grouping>, String) {
    let mut found = Vec::new();
    let mut rest = format!(" {text} ");
    for lead in [" by ", " per "] {
        while let Some(at) = rest.find(lead) {
            let after = &rest[at + lead.len()..];
            let Some((phrase, key, granularity)) = GROUPINGS
                .iter()
                .find(|(p, _, _)| after.starts_with(&format!("{p} ")))
            else {
                // Not a grouping ("by then"): keep the words.
                rest.replace_range(at..at + lead.len(), " ");
                continue;
            };
            found.push((*phrase, *key, *granularity));
            rest.replace_range(at..at + lead.len() + phrase.len(), " ");
        }
    }
    if rest.contains(" monthly ") {
        found.push(("month", DimensionKey::Date, Some(Granularity::Month)));
    }
    (found, rest)
}

/// The period phrase as a period expression.
fn period_of(words: &[&str], text: &str) -> Option<String> {
    let padded = format!(" {text} ");
    let phrase = |p: &str| padded.contains(&format!(" {p} "));
    for (p, expr) in [
        // "fiscal" uses the company's fiscal year end.
        ("fiscal year to date", "fiscal_ytd"),
        ("fiscal ytd", "fiscal_ytd"),
        ("last fiscal year", "last_fiscal_year"),
        ("previous fiscal year", "last_fiscal_year"),
        ("fiscal year", "this_fiscal_year"),
        ("year to date", "ytd"),
        ("ytd", "ytd"),
        ("quarter to date", "qtd"),
        ("qtd", "qtd"),
        ("month to date", "mtd"),
        ("mtd", "mtd"),
        ("this month", "this_month"),
        ("last month", "last_month"),
        ("previous month", "last_month"),
        ("this quarter", "this_quarter"),
        ("last quarter", "last_quarter"),
        ("previous quarter", "last_quarter"),
        ("this week", "this_week"),
        ("last week", "last_week"),
        ("this year", "this_year"),
        ("last year", "last_year"),
        ("previous year", "last_year"),
        ("today", "today"),
        ("yesterday", "yesterday"),
    ] {
        if phrase(p) {
            return Some(expr.to_owned());
        }
    }
    let year_at = |i: usize| {
        words
            .get(i)
            .filter(|w| w.len() == 4)
            .and_then(|w| w.parse::<i32>().ok())
            .filter(|y| (1900..=2999).contains(y))
    };
    for (i, word) in words.iter().enumerate() {
        // "Q4 2025", "last 30 days", "March 2026".
        if let Some(q) = word.strip_prefix('q').and_then(|q| q.parse::<u32>().ok())
            && (1..=4).contains(&q)
            && let Some(y) = year_at(i + 1)
        {
            return Some(format!("quarter({q}, {y})"));
        }
        if *word == "last"
            && let Some(n) = words.get(i + 1).and_then(|n| n.parse::<u32>().ok())
            && words.get(i + 2).is_some_and(|w| *w == "days")
        {
            return Some(format!("last_n_days({n})"));
        }
        if let Some(m) = MONTHS.iter().position(|m| m == word)
            && let Some(y) = year_at(i + 1)
        {
            return Some(format!("month({}, {y})", m + 1));
        }
    }
    (0..words.len())
        .find_map(year_at)
        .map(|y| format!("year({y})"))
}

/// "top 10" as a row limit.
fn top_n(words: &[&str]) -> Option<u32> {
    words
        .windows(2)
        .find(|pair| pair[0] == "top")
        .and_then(|pair| pair[1].parse().ok())
        .filter(|n| (1..=1000).contains(n))
}

#[cfg(test)]
mod tests {
    use pretty_assertions::assert_eq;

    use super::*;

    fn planned(question: &str) -> ReportPlan {
        plan_from_keywords(question).unwrap().plan
    }

    fn dims(plan: &ReportPlan) -> Vec<(DimensionKey, Option<Granularity>)> {
        plan.dimensions
            .iter()
            .map(|d| (d.field, d.granularity))
            .collect()
    }

    fn period(plan: &ReportPlan) -> Option<String> {
        plan.period.as_ref().and_then(|p| p.expression.clone())
    }

    #[test]
    fn datasets_come_from_words() {
        for (question, dataset) in [
            ("revenue this month", Dataset::Sales),
            ("What did we sell? sales last month", Dataset::Sales),
            ("number of sales orders this year", Dataset::SalesOrders),
            ("invoices by customer", Dataset::Invoicing),
            ("billing in March 2026", Dataset::Invoicing),
            ("overdue by customer", Dataset::Receivables),
            ("open opportunities by stage", Dataset::Pipeline),
            ("leads this quarter", Dataset::Pipeline),
            ("purchases by vendor ytd", Dataset::Purchases),
            ("expenses by employee", Dataset::Expenses),
            ("inventory by category", Dataset::Stock),
            ("how many contacts by country", Dataset::Contacts),
            ("top 5 products last quarter", Dataset::Sales),
        ] {
            assert_eq!(planned(question).dataset, dataset, "{question}");
        }
    }

    #[test]
    fn a_question_without_a_dataset_word_asks_back_with_examples() {
        let err = plan_from_keywords("how are we doing this month?").unwrap_err();
        assert_eq!(err.code(), "NEEDS_CLARIFICATION");
        for example in EXAMPLES {
            assert!(err.to_string().contains(example), "{err}");
        }
    }

    #[test]
    fn periods_come_from_date_phrases() {
        for (question, expr) in [
            ("sales this month", Some("this_month")),
            ("sales last month", Some("last_month")),
            ("sales this quarter", Some("this_quarter")),
            ("sales last quarter", Some("last_quarter")),
            ("sales Q4 2025", Some("quarter(4, 2025)")),
            ("sales YTD", Some("ytd")),
            ("sales year to date", Some("ytd")),
            ("sales last year", Some("last_year")),
            ("sales in 2024", Some("year(2024)")),
            ("sales March 2026", Some("month(3, 2026)")),
            ("sales last 30 days", Some("last_n_days(30)")),
            ("sales this fiscal year", Some("this_fiscal_year")),
            ("sales last fiscal year", Some("last_fiscal_year")),
            ("sales fiscal year to date", Some("fiscal_ytd")),
            ("sales", None),
        ] {
            assert_eq!(period(&planned(question)).as_deref(), expr, "{question}");
        }
        // Stock has no date: a year in the question is not a period.
        assert_eq!(period(&planned("stock in 2024")), None);
    }

    #[test]
    fn groupings_come_from_by_phrases_and_fit_the_dataset() {
        let plan = planned("Sales by product category for Q4 2025 compared with Q3");
        assert_eq!(dims(&plan), vec![(DimensionKey::ProductCategory, None)]);
        assert_eq!(period(&plan).as_deref(), Some("quarter(4, 2025)"));
        assert_eq!(plan.compare, Some(Compare::PreviousPeriod));
        let plan = planned("sales by customer by month this year vs last year");
        assert_eq!(
            dims(&plan),
            vec![
                (DimensionKey::Customer, None),
                (DimensionKey::Date, Some(Granularity::Month))
            ]
        );
        assert_eq!(period(&plan).as_deref(), Some("this_year"));
        assert_eq!(plan.compare, Some(Compare::PreviousYear));
        assert_eq!(
            dims(&planned("purchases by partner")),
            vec![(DimensionKey::Vendor, None)]
        );
        assert_eq!(
            dims(&planned("invoices by status")),
            vec![(DimensionKey::PaymentState, None)]
        );
        assert_eq!(
            dims(&planned("pipeline by salesperson")),
            vec![(DimensionKey::Salesperson, None)]
        );
        let kept = plan_from_keywords("stock by stage").unwrap();
        assert_eq!(kept.plan.dimensions, vec![]);
        assert_eq!(kept.ignored, vec!["by stage".to_owned()]);
    }

    #[test]
    fn counts_quantities_and_top_n_shape_the_plan() {
        let plan = planned("how many invoices last month");
        assert_eq!(
            plan.measures,
            vec![MeasureSpec {
                field: MeasureKey::Count,
                agg: Some(Agg::Count)
            }]
        );
        let plan = planned("top 10 customers by sales quantity this year");
        assert_eq!(plan.limit, Some(10));
        assert_eq!(dims(&plan), vec![(DimensionKey::Customer, None)]);
        assert_eq!(
            plan.order,
            vec![OrderSpec {
                key: "quantity".into(),
                desc: true
            }]
        );
        assert_eq!(plan.measures[0].field, MeasureKey::Quantity);
        let plan = planned("top 3 vendors purchases 2025");
        assert_eq!(dims(&plan), vec![(DimensionKey::Vendor, None)]);
        assert_eq!(plan.dataset, Dataset::Purchases);
    }
}
