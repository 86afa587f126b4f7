//! Matching what the log says to the Dockerfile and its findings: the instruction a failing step
//! is (by BuildKit's `Dockerfile:12` excerpt, the stage, the step's position and its text), and
//! the finding whose rule explains the failure.

use super::failures::FailureKind;
use super::steps::Step;
use crate::diagnostics::Diagnostic;

/// One instruction of a Dockerfile, as BuildKit numbers it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Instruction {
    /// Stage name (`AS build`), else `stage-N` as BuildKit calls unnamed stages.
    pub stage: String,
    /// 1-based position within its stage (FROM is 1).
    pub index: usize,
    /// Number of instructions in its stage.
    pub of: usize,
    /// The instruction's text with continuations joined and whitespace collapsed.
    pub text: String,
    /// 1-based first and last line.
    pub lines: (usize, usize),
}

/// The instructions of a Dockerfile (continuations, comments inside them and heredocs handled).
pub fn instructions(source: &str) -> Vec<Instruction> {
    let all: Vec<&str> = source.lines().collect();
    let escape = escape_char(&all);
    let mut out: Vec<Instruction> = Vec::new();
    let mut stage_count = 0usize;
    let mut stage = String::new();
    let mut stage_start = 0usize;
    let mut i = 0;
    while i < all.len() {
        let first = all[i].trim();
        if first.is_empty() || first.starts_with('#') {
            i += 1;
            continue;
        }
        let start = i;
        let mut text = String::new();
        let mut line = all[i].trim_end();
        loop {
            let cont = line.ends_with(escape);
            let body = if cont {
                &line[..line.len() - escape.len_utf8()]
            } else {
                line
            };
            text.push_str(body);
            text.push(' ');
            if !cont {
                break;
            }
            // Skip comment and empty lines inside a continuation.
            i += 1;
            while i < all.len()
                && (all[i].trim().is_empty() || all[i].trim_start().starts_with('#'))
            {
                i += 1;
            }
            if i >= all.len() {
                break;
            }
            line = all[i].trim_end();
        }
        // Heredocs: `RUN <<EOF` … `EOF`.
        if let Some(word) = heredoc_word(&text) {
            while i + 1 < all.len() {
                i += 1;
                if all[i].trim_start_matches('\t').trim_end() == word {
                    break;
                }
            }
        }
        let text = collapse(&text);
        if text.to_ascii_uppercase().starts_with("FROM ") {
            let words: Vec<&str> = text.split_whitespace().collect();
            stage = words
                .iter()
                .position(|w| w.eq_ignore_ascii_case("as"))
                .and_then(|p| words.get(p + 1))
                .map(|s| s.to_string())
                .unwrap_or_else(|| format!("stage-{stage_count}"));
            stage_count += 1;
            stage_start = out.len();
        } else if stage_count == 0 {
            // ARG before the first FROM: not a step.
            i += 1;
            continue;
        }
        out.push(Instruction {
            stage: stage.clone(),
            index: out.len() - stage_start + 1,
            of: 0,
            text,
            lines: (start + 1, i + 1),
        });
        i += 1;
    }
    // Fill in each stage's size.
    let mut j = 0;
    while j < out.len() {
        let mut k = j + 1;
        while k < out.len() && out[k].index != 1 {
            k += 1;
        }
        for ins in &mut out[j..k] {
            ins.of = k - j;
        }
        j = k;
    }
    out
}

fn escape_char(lines: &[&str]) -> char {
    for l in lines {
        let t = l.trim();
        let Some(d) = t.strip_prefix('#') else { break };
        let d = d.trim().to_ascii_lowercase();
        if let Some(v) = d.strip_prefix("escape")
            && let Some(v) = v.trim_start().strip_prefix('=')
            && let Some(c) = v.trim().chars().next()
        {
            return c;
        }
    }
    '\\'
}

fn heredoc_word(text: &str) -> Option<String> {
    let i = text.find("<<")?;
    let rest = text[i + 2..].trim_start_matches('-');
    let word: String = rest
        .trim_matches(|c| c == '"' || c == '\'')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    (!word.is_empty() && word.chars().next().is_some_and(|c| c.is_ascii_uppercase()))
        .then_some(word)
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The instruction's words without `--flag=value` options and exec-form punctuation, to compare
/// a step name with the Dockerfile text whatever BuildKit left out of the name.
fn core(s: &str) -> String {
    s.split_whitespace()
        .filter(|w| !w.starts_with("--"))
        .map(|w| w.trim_matches(|c| matches!(c, '[' | ']' | ',' | '"')))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase()
}

/// The line span of the instruction a failing step is.
pub fn locate(
    source: &str,
    step: Option<&Step>,
    excerpt_line: Option<usize>,
) -> Option<(usize, usize)> {
    let all = instructions(source);
    let text_matches = |ins: &Instruction, step: &Step| {
        collapse(&step.instruction) == ins.text || core(&step.instruction) == core(&ins.text)
    };
    if let Some(n) = excerpt_line
        && let Some(ins) = all.iter().find(|i| i.lines.0 <= n && n <= i.lines.1)
        && step.is_none_or(|s| text_matches(ins, s))
    {
        return Some(ins.lines);
    }
    let step = step?;
    let stage_ok = |ins: &Instruction| step.stage.as_ref().is_none_or(|s| *s == ins.stage);
    let index_ok = |ins: &Instruction| {
        step.index
            .is_none_or(|(i, n)| ins.index == i && ins.of == n)
    };
    let by_text: Vec<&Instruction> = all.iter().filter(|i| text_matches(i, step)).collect();
    let best = by_text
        .iter()
        .max_by_key(|i| {
            (
                stage_ok(i) as u8 + index_ok(i) as u8,
                std::cmp::Reverse(i.lines.0),
            )
        })
        .copied()
        .or_else(|| {
            step.index?;
            all.iter()
                .find(|i| step.stage.is_some() && stage_ok(i) && index_ok(i))
        });
    best.map(|i| i.lines)
}

/// The finding that explains the failure: the first of the failure's rules (root causes come
/// first) that has a finding; of its findings, the one on or nearest the failing instruction.
pub fn explaining(
    diagnostics: &[Diagnostic],
    source: &str,
    kind: FailureKind,
    span: Option<(usize, usize)>,
) -> Option<usize> {
    let rules = kind.rules();
    diagnostics
        .iter()
        .enumerate()
        .filter_map(|(i, d)| {
            let rank = rules.iter().position(|r| *r == d.code)?;
            let line = crate::syntax::line_number(source, d.range.start);
            let end = crate::syntax::line_number(source, d.range.end.max(d.range.start));
            let distance = match span {
                Some((a, b)) if end >= a && line <= b => 0,
                Some((a, _)) if end < a => a - end,
                Some((_, b)) => line - b,
                None => 0,
            };
            Some((i, rank, distance))
        })
        .min_by_key(|(i, rank, distance)| (*rank, *distance, *i))
        .map(|(i, ..)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    const DF: &str = "# escape=\\
ARG GO=1.22
FROM golang:${GO} AS build
WORKDIR /src
# a comment
COPY go.mod ./
RUN --mount=type=cache,target=/go/pkg/mod \\
    # inside
    go mod download
COPY . .
RUN go build -o /app .

FROM scratch
COPY --from=build /app /app
ENTRYPOINT [\"/app\"]
";

    #[test]
    fn numbers_instructions_like_buildkit() {
        let all = instructions(DF);
        let run = &all[3];
        assert_eq!(run.stage, "build");
        assert_eq!((run.index, run.of), (4, 6));
        assert_eq!(run.lines, (7, 9));
        assert_eq!(
            run.text,
            "RUN --mount=type=cache,target=/go/pkg/mod go mod download"
        );
        let last = all.last().unwrap();
        assert_eq!(
            (last.stage.as_str(), last.index, last.of),
            ("stage-1", 3, 3)
        );
    }

    #[test]
    fn locates_a_step() {
        let step = |stage: &str, i, n, text: &str| Step {
            stage: Some(stage.into()),
            index: Some((i, n)),
            instruction: text.into(),
        };
        assert_eq!(
            locate(
                DF,
                Some(&step("build", 6, 6, "RUN go build -o /app .")),
                None
            ),
            Some((11, 11))
        );
        // Text BuildKit shows without the mount flag still matches.
        assert_eq!(
            locate(DF, Some(&step("build", 4, 6, "RUN go mod download")), None),
            Some((7, 9))
        );
        // The excerpt line wins when it is that instruction.
        assert_eq!(locate(DF, None, Some(8)), Some((7, 9)));
        // Position alone.
        assert_eq!(
            locate(
                DF,
                Some(&step("stage-1", 2, 3, "COPY something else")),
                None
            ),
            Some((14, 14))
        );
        assert_eq!(locate(DF, Some(&step("nope", 9, 9, "RUN x")), None), None);
    }

    fn diag(code: &'static str, source: &str, line: usize) -> Diagnostic {
        let start: usize = source.lines().take(line - 1).map(|l| l.len() + 1).sum();
        Diagnostic {
            code,
            name: "x",
            severity: crate::diagnostics::Severity::Error,
            message: String::new(),
            range: start..start + 3,
            fix: None,
        }
    }

    #[test]
    fn the_root_cause_rule_wins_then_the_nearest_finding() {
        let d = vec![
            diag("GM003", DF, 11),
            diag("GM010", DF, 11),
            diag("GM014", DF, 10),
            diag("GM010", DF, 6),
        ];
        // go.sum hidden by .dockerignore (GM014) is the cause even off the failing line.
        assert_eq!(
            explaining(&d, DF, FailureKind::MissingGoSum, Some((11, 11))),
            Some(2)
        );
        // Of two GM010 findings, the one on the failing instruction.
        assert_eq!(
            explaining(&d[..2], DF, FailureKind::MissingGoSum, Some((11, 11))),
            Some(1)
        );
        let far = [diag("GM010", DF, 6), diag("GM010", DF, 11)];
        assert_eq!(
            explaining(&far, DF, FailureKind::MissingGoSum, Some((10, 10))),
            Some(1)
        );
        // No rule of the failure: nothing explains it.
        assert_eq!(
            explaining(&d[..1], DF, FailureKind::MissingGoSum, None),
            None
        );
        // A Go older than go.mod's (a pruned go.sum lacks lines it needs) explains it last.
        let old_go = [diag("GM016", DF, 3), diag("GM010", DF, 6)];
        assert_eq!(
            explaining(&old_go, DF, FailureKind::MissingGoSum, Some((11, 11))),
            Some(1)
        );
        assert_eq!(
            explaining(&old_go[..1], DF, FailureKind::MissingGoSum, Some((11, 11))),
            Some(0)
        );
    }

    #[test]
    fn heredoc_bodies_are_part_of_the_instruction() {
        let all = instructions("FROM a\nRUN <<EOF\nFROM not-a-stage\nEOF\nRUN b\n");
        assert_eq!(all.len(), 3);
        assert_eq!(all[1].lines, (2, 4));
        assert_eq!(all[2].index, 3);
    }
}
