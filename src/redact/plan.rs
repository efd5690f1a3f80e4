//! Which of a report's plan steps a redaction run carried out (`redact --plan P --top N`).
//!
//! A copy can do what every kind of step asks, in its own way: a place step (`redact`,
//! `generalise_dob`) is a rule on that input's field and kind, and a `delete_input` step leaves
//! the input out of the copy (listed in the receipt as `omitted`) — the copy of a tree without
//! the file is what the tree would be once the file is deleted. A step counts as **applied**
//! only when the run did it:
//!
//! * a place step, when its input (for an archive member, the archive holding it) was found
//!   in the source and a copy of it was written;
//! * a delete step, when its input was found in the source as a whole file and left out.
//!
//! A step is **not applied** when its input is not in the source tree (a plan made from another
//! tree), when that input could not be redacted, or when the step deletes an archive member
//! (a member is not left out of its archive's copy). The summary says how many of the N steps
//! were applied, and a run that did not apply all of them is incomplete (exit code 2, as for
//! an input that could not be redacted).

use serde::Serialize;

use super::action::input_matches;
use super::{FileStatus, TreeOutcome};
use crate::exposure::{Action as PlanAction, PlanStep};

/// What became of one plan step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepOutcome {
    /// The step's rank in the plan.
    pub rank: u32,
    /// The step's description, as the report gave it.
    pub description: String,
    /// Whether the run did it.
    pub applied: bool,
    /// Why not, when it was not applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// The plan steps a run was asked to apply, and what became of each.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PlanOutcome {
    /// `--top N`: how many steps were asked for.
    pub requested: usize,
    /// How many steps the plan has in all.
    pub available: usize,
    /// The first `min(requested, available)` steps.
    pub steps: Vec<StepOutcome>,
}

impl PlanOutcome {
    /// Steps applied.
    pub fn applied(&self) -> usize {
        self.steps.iter().filter(|s| s.applied).count()
    }

    /// Every step taken from the plan was applied.
    pub fn complete(&self) -> bool {
        self.applied() == self.steps.len()
    }

    /// One line for the summary: `plan: 2 of the top 3 steps applied`, and why a plan shorter
    /// than N gave fewer.
    pub fn summary(&self) -> String {
        let mut s = format!(
            "plan: {} of the top {} step(s) applied",
            self.applied(),
            self.steps.len()
        );
        if self.available < self.requested {
            s.push_str(&format!(
                " (--top {} asked for more: the plan has {})",
                self.requested, self.available
            ));
        }
        s
    }
}

/// The outcome of the first `top` steps of `plan` in a run that produced `tree` (see the
/// module docs). `shown` gives a file's display path when it differs from its path (a value in
/// its name is masked, see `detect::names`): a report names inputs by that path.
pub fn outcome(
    plan: &[PlanStep],
    top: usize,
    tree: &TreeOutcome,
    shown: &dyn Fn(&str) -> Option<String>,
) -> PlanOutcome {
    let steps = plan
        .iter()
        .take(top)
        .map(|step| {
            let reason = not_applied(&step.action, tree, shown);
            StepOutcome {
                rank: step.rank,
                description: step.description.clone(),
                applied: reason.is_none(),
                reason,
            }
        })
        .collect();
    PlanOutcome {
        requested: top,
        available: plan.len(),
        steps,
    }
}

/// Why `action` was not done in `tree`, or `None` if it was.
fn not_applied(
    action: &PlanAction,
    tree: &TreeOutcome,
    shown: &dyn Fn(&str) -> Option<String>,
) -> Option<String> {
    let input = action.input();
    let is_member = input.contains('!');
    // The file holding the input: the input itself, or the archive a member sits in.
    let file = input.split('!').next().unwrap_or(input);
    let found = tree.files.iter().find(|f| {
        input_matches(file, &f.path) || shown(&f.path).is_some_and(|s| input_matches(file, &s))
    });
    let Some(f) = found else {
        return Some("its input is not in the source tree".into());
    };
    match (action, &f.status) {
        (PlanAction::DeleteInput { .. }, _) if is_member => {
            Some("an archive member is not left out of its archive's copy".into())
        }
        (PlanAction::DeleteInput { .. }, FileStatus::Omitted(_)) => None,
        (PlanAction::DeleteInput { .. }, _) => Some("its input was not left out".into()),
        (_, FileStatus::Redacted) => None,
        (_, FileStatus::Omitted(_)) => None,
        (_, FileStatus::NotRedacted(_)) => Some("its input could not be redacted".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Kind;
    use crate::redact::{Applied, FileOutcome};

    fn file(path: &str, status: FileStatus) -> FileOutcome {
        FileOutcome {
            path: path.into(),
            status,
            format: None,
            encoding: None,
            input_sha256: String::new(),
            output_sha256: None,
            applied: Applied::new(),
            dropped_fields: 0,
            notes: Vec::new(),
            type_errors: Vec::new(),
            generated: Default::default(),
        }
    }

    fn step(rank: u32, action: PlanAction) -> PlanStep {
        PlanStep {
            rank,
            description: action.describe(),
            action,
            score: 1.0,
            values: 1,
            people_unexposed: 1,
            kits_dissolved: 0,
            cumulative: 1.0,
            cumulative_share: 0.5,
        }
    }

    #[test]
    fn steps_count_as_applied_only_when_done() {
        let tree = TreeOutcome {
            src: "/s".into(),
            dst: "/d".into(),
            files: vec![
                file("a.csv", FileStatus::Redacted),
                file("copy.csv", FileStatus::Omitted("plan".into())),
                file("bad.csv", FileStatus::NotRedacted("binary".into())),
                file("b.zip", FileStatus::Redacted),
            ],
        };
        let redact = |input: &str| PlanAction::Redact {
            input: input.into(),
            field: Some("email".into()),
            kind: Kind::Email,
        };
        let delete = |input: &str| PlanAction::DeleteInput {
            input: input.into(),
            duplicate_of: "a.csv".into(),
        };
        let plan = vec![
            step(1, redact("./data/a.csv")),
            step(2, delete("data/copy.csv")),
            step(3, redact("bad.csv")),
            step(4, redact("elsewhere.csv")),
            step(5, redact("b.zip!inner.csv")),
            step(6, delete("b.zip!inner.csv")),
        ];
        let o = outcome(&plan, 10, &tree, &|_| None);
        let applied: Vec<bool> = o.steps.iter().map(|s| s.applied).collect();
        assert_eq!(applied, [true, true, false, false, true, false]);
        assert_eq!(o.applied(), 3);
        assert!(!o.complete());
        assert_eq!(
            o.summary(),
            "plan: 3 of the top 6 step(s) applied (--top 10 asked for more: the plan has 6)"
        );
        assert!(
            o.steps[3]
                .reason
                .as_deref()
                .unwrap()
                .contains("not in the source")
        );
        let first_two = outcome(&plan, 2, &tree, &|_| None);
        assert!(first_two.complete());
        assert_eq!(first_two.summary(), "plan: 2 of the top 2 step(s) applied");
    }
}
