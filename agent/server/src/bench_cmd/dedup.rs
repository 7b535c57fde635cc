//! `odoo-agent bench dedup`.

#![allow(clippy::print_stdout)] // this command's output is its product

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;
use clap::Args;
use serde_json::{Value, json};
use tools::automations::find_duplicates::{
    DedupConfig, DismissedPairs, PairQuality, PartnerRecord, find_groups,
};

use super::memory::peak_rss_kib;

/// Arguments of `bench dedup`.
#[derive(Debug, Args)]
pub struct DedupArgs {
    /// Partner rows, one JSON object per line, as `res.partner` search_read
    /// returns them (`false` for empty values, many2one as [id, "name"]).
    #[arg(long, value_name = "FILE")]
    pub partners: PathBuf,
    /// Write the groups found, one line each: {"ids": [...], "master": id,
    /// "score": strongest pair}.
    #[arg(long, value_name = "GROUPS.jsonl")]
    pub out: Option<PathBuf>,
    /// Write every duplicate pair inside a group, one line each: {"a", "b",
    /// "score", "evidence": {field: similarity}}; for studying errors.
    #[arg(long, value_name = "PAIRS.jsonl")]
    pub pairs_out: Option<PathBuf>,
    /// True clusters, one line each with an "ids" array; prints pair
    /// precision and recall (pairs inside a group against pairs inside a
    /// cluster).
    #[arg(long, value_name = "TRUTH.jsonl")]
    pub truth: Option<PathBuf>,
    /// Scale the data set: K copies of the rows, copy k with ids shifted
    /// and names, e-mails, phones and VATs perturbed so that each copy's
    /// records are distinct entities while duplicates inside a copy stay
    /// duplicates. The truth is replicated the same way.
    #[arg(long, value_name = "K", default_value_t = 1)]
    pub replicate: u32,
    /// Duplicate threshold (spec default 0.80).
    #[arg(long)]
    pub threshold: Option<f64>,
    /// Scoring threads [default: all cores].
    #[arg(long)]
    pub threads: Option<usize>,
    /// Settings: `spec` is spec section 4 exactly; `recommended` adds the
    /// benchmark's legal forms, joins dotted initials ("L.L.C.") and leaves
    /// unlike e-mail addresses out of the score (see BENCHMARKS.md).
    #[arg(long, value_enum, default_value_t = Settings::Recommended)]
    pub settings: Settings,
}

/// Which configuration to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Settings {
    Spec,
    Recommended,
}

pub fn run(args: &DedupArgs) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut partners = read_partners(&args.partners)?;
    let mut truth = match &args.truth {
        Some(path) => Some(read_truth(path)?),
        None => None,
    };
    if args.replicate > 1 {
        let span = partners.iter().map(|p| p.id).max().unwrap_or(0);
        partners = replicate::partners(&partners, args.replicate, span);
        truth = truth.map(|t| replicate::clusters(&t, args.replicate, span));
    }
    let load = started.elapsed();
    let mut config = match args.settings {
        Settings::Spec => DedupConfig::spec(),
        Settings::Recommended => DedupConfig::recommended(),
    };
    if let Some(threshold) = args.threshold {
        config.threshold = threshold;
    }
    if let Some(threads) = args.threads {
        config.threads = threads;
    }
    // Return every group: the benchmark measures all of them.
    config.max_groups = usize::MAX;

    let computing = Instant::now();
    let result = find_groups(&partners, &config, &DismissedPairs::default());
    let compute = computing.elapsed();
    let groups = result.data.groups.as_deref().unwrap_or_default();

    println!("records:          {}", result.data.records_scanned);
    println!("settings:         {:?}", args.settings);
    println!("load:             {:.3} s", load.as_secs_f64());
    println!(
        "find_groups:      {:.3} s ({} threads)",
        compute.as_secs_f64(),
        config.threads
    );
    match peak_rss_kib() {
        Some(kib) => println!("peak memory:      {:.1} MiB (VmHWM)", kib as f64 / 1024.0),
        None => println!("peak memory:      unknown (no /proc/self/status)"),
    }
    println!(
        "blocks:           {} ({} too large)",
        result.stats.blocks, result.stats.oversized_blocks
    );
    println!("pairs compared:   {}", result.data.pairs_compared);
    println!("duplicate pairs:  {}", result.stats.duplicate_pairs);
    println!("groups found:     {}", result.stats.groups_found);
    println!("redundant records:{:>6}", result.data.redundant_records);
    for warning in result.warnings.iter().take(5) {
        println!("warning {}: {}", warning.code, warning.message);
    }
    if let Some(truth) = &truth {
        let predicted: Vec<Vec<i64>> = groups
            .iter()
            .map(|g| g.members.iter().map(|m| m.id).collect())
            .collect();
        let quality = PairQuality::measure(&predicted, truth);
        println!(
            "pair precision:   {:.4} ({} of {} predicted pairs)",
            quality.precision, quality.correct_pairs, quality.predicted_pairs
        );
        println!(
            "pair recall:      {:.4} ({} of {} true pairs)",
            quality.recall, quality.correct_pairs, quality.true_pairs
        );
    }
    if let Some(path) = &args.out {
        let mut out = BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        );
        for group in groups {
            let ids: Vec<i64> = group.members.iter().map(|m| m.id).collect();
            let line = json!({"ids": ids, "master": group.master.id, "score": group.group_score});
            writeln!(out, "{line}")?;
        }
        out.flush()?;
        println!("groups written:   {}", path.display());
    }
    if let Some(path) = &args.pairs_out {
        let mut out = BufWriter::new(
            File::create(path).with_context(|| format!("creating {}", path.display()))?,
        );
        for pair in groups.iter().flat_map(|g| &g.pairs) {
            writeln!(out, "{}", serde_json::to_string(pair)?)?;
        }
        out.flush()?;
        println!("pairs written:    {}", path.display());
    }
    Ok(())
}

fn read_lines(path: &Path) -> anyhow::Result<Vec<(usize, Value)>> {
    let file = File::open(path).with_context(|| format!("opening {}", path.display()))?;
    let mut rows = Vec::new();
    for (index, line) in BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("reading {}", path.display()))?;
        if line.trim().is_empty() {
            continue;
        }
        let value = serde_json::from_str(&line)
            .with_context(|| format!("{} line {}: not JSON", path.display(), index + 1))?;
        rows.push((index + 1, value));
    }
    Ok(rows)
}

fn read_partners(path: &Path) -> anyhow::Result<Vec<PartnerRecord>> {
    read_lines(path)?
        .into_iter()
        .map(|(line, row)| {
            PartnerRecord::from_json(&row)
                .with_context(|| format!("{} line {line}", path.display()))
        })
        .collect()
}

fn read_truth(path: &Path) -> anyhow::Result<Vec<Vec<i64>>> {
    read_lines(path)?
        .into_iter()
        .map(|(line, row)| {
            row.get("ids")
                .and_then(Value::as_array)
                .and_then(|ids| ids.iter().map(Value::as_i64).collect::<Option<Vec<i64>>>())
                .with_context(|| format!("{} line {line}: no \"ids\" array", path.display()))
        })
        .collect()
}

/// Scaling a data set by copies that are distinct entities.
mod replicate {
    use tools::automations::find_duplicates::{PartnerRecord, SPEC_LEGAL_FORMS};

    /// `copies` copies of the partners; copy k (from 0, the original) has
    /// ids shifted by k × `span`.
    pub fn partners(partners: &[PartnerRecord], copies: u32, span: i64) -> Vec<PartnerRecord> {
        (0..copies)
            .flat_map(|k| partners.iter().map(move |p| perturb(p, k, span)))
            .collect()
    }

    /// The clusters of every copy.
    pub fn clusters(clusters: &[Vec<i64>], copies: u32, span: i64) -> Vec<Vec<i64>> {
        (0..copies)
            .flat_map(|k| {
                clusters
                    .iter()
                    .map(move |ids| ids.iter().map(|id| id + i64::from(k) * span).collect())
            })
            .collect()
    }

    /// Copy k: letters of each name word shifted k places in the alphabet
    /// (legal forms kept, so suffix variants stay variants), e-mail local
    /// part and domain name shifted the same way (role mailboxes and the
    /// top-level domain kept), the last seven digits of phones and every
    /// digit of VATs shifted by k. Shifting each character the same way
    /// keeps the edit relations between a record and its planted
    /// duplicates while making copies unlike each other.
    fn perturb(partner: &PartnerRecord, k: u32, span: i64) -> PartnerRecord {
        if k == 0 {
            return partner.clone();
        }
        let shift_text =
            |s: &Option<String>, f: fn(&str, u32) -> String| s.as_deref().map(|s| f(s, k));
        PartnerRecord {
            id: partner.id + i64::from(k) * span,
            name: shift_text(&partner.name, name),
            email: shift_text(&partner.email, email),
            phone: shift_text(&partner.phone, phone),
            mobile: shift_text(&partner.mobile, phone),
            vat: shift_text(&partner.vat, digits),
            ..partner.clone()
        }
    }

    fn letter(c: char, k: u32) -> char {
        let base = match c {
            'a'..='z' => b'a',
            'A'..='Z' => b'A',
            _ => return c,
        };
        let offset = (c as u32 - u32::from(base) + k) % 26;
        char::from_u32(u32::from(base) + offset).unwrap_or(c)
    }

    fn digit(c: char, k: u32) -> char {
        c.to_digit(10)
            .and_then(|d| char::from_digit((d + k) % 10, 10))
            .unwrap_or(c)
    }

    fn words(text: &str, k: u32, keep: impl Fn(&str) -> bool) -> String {
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            if keep(word) {
                out.push_str(word);
            } else {
                out.extend(word.chars().map(|c| letter(c, k)));
            }
            word.clear();
        };
        for c in text.chars() {
            if c.is_alphanumeric() {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }

    fn name(text: &str, k: u32) -> String {
        const KEEP: &[&str] = &[
            "l",
            "c",
            "b",
            "v",
            "w",
            "s",
            "a",
            "incorporated",
            "llp",
            "ag",
            "kg",
            "sas",
            "fze",
            "fzco",
            "and",
        ];
        words(text, k, |w| {
            let w = w.to_lowercase();
            SPEC_LEGAL_FORMS.contains(&w.as_str()) || KEEP.contains(&w.as_str())
        })
    }

    fn email(text: &str, k: u32) -> String {
        const ROLES: &[&str] = &[
            "info", "sales", "contact", "admin", "accounts", "billing", "support", "office",
            "hello", "noreply",
        ];
        const PUBLIC: &[&str] = &[
            "gmail",
            "yahoo",
            "hotmail",
            "outlook",
            "icloud",
            "proton",
            "protonmail",
            "aol",
            "gmx",
            "live",
        ];
        let Some((local, domain)) = text.rsplit_once('@') else {
            return words(text, k, |_| false);
        };
        let local = if ROLES.contains(&local.trim().to_lowercase().as_str()) {
            local.to_owned()
        } else {
            words(local, k, |_| false)
        };
        let (host, tld) = domain.rsplit_once('.').unwrap_or((domain, ""));
        let host = if PUBLIC.contains(&host.to_lowercase().as_str()) {
            host.to_owned()
        } else {
            words(host, k, |_| false)
        };
        if tld.is_empty() {
            format!("{local}@{host}")
        } else {
            format!("{local}@{host}.{tld}")
        }
    }

    /// The last seven digits shifted: country and area codes stay.
    fn phone(text: &str, k: u32) -> String {
        let total = text.chars().filter(char::is_ascii_digit).count();
        let mut seen = 0;
        text.chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    seen += 1;
                    if total - seen < 7 {
                        return digit(c, k);
                    }
                }
                c
            })
            .collect()
    }

    fn digits(text: &str, k: u32) -> String {
        text.chars().map(|c| digit(c, k)).collect()
    }
}
