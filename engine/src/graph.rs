//! The revision graph. Pure: no files, no connections.
//!
//! A revision has parents (`down_revisions`: none for a base, several for a
//! merge), optional branch labels, and optional `depends_on`: revisions of other
//! branches that must be applied first without being parents. The database keeps
//! one version-table row per applied head, as Alembic does; what is applied is
//! those rows and everything they need.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use retort::Direction;

/// Errors about the revision graph and about targets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RevisionError {
    /// Two files declare one id.
    #[error("revision id {id} is declared twice: in {first} and in {second}")]
    DuplicateId {
        /// The id.
        id: String,
        /// One file.
        first: String,
        /// The other.
        second: String,
    },
    /// A revision names a parent or dependency that does not exist.
    #[error("revision {id} ({file}) {relation} {parent}, which is not among the revision files")]
    UnknownParent {
        /// The revision.
        id: String,
        /// Its file.
        file: String,
        /// "revises" or "depends on".
        relation: &'static str,
        /// The missing revision.
        parent: String,
    },
    /// A revision id is empty, too long, or holds characters that do not belong
    /// in an id.
    #[error("revision id `{id}` in {file} is not valid: {problem}")]
    BadId {
        /// The id.
        id: String,
        /// Its file (or `--rev-id`).
        file: String,
        /// What is wrong with it.
        problem: String,
    },
    /// Two revisions carry one branch label.
    #[error("branch label `{label}` is on two revisions: {first} and {second}")]
    DuplicateLabel {
        /// The label.
        label: String,
        /// One revision.
        first: String,
        /// The other.
        second: String,
    },
    /// The parents form a cycle.
    #[error("revisions form a cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    /// A target names no revision.
    #[error("no revision matches `{0}`; `history` lists them")]
    Unknown(String),
    /// A branch label that no revision carries.
    #[error("no branch is labelled `{0}`; `branches` lists the branch points and `history -v` the labels")]
    UnknownLabel(String),
    /// A partial id matches several revisions.
    #[error("`{prefix}` is ambiguous: it matches {}", .candidates.join(", "))]
    Ambiguous {
        /// What was given.
        prefix: String,
        /// Matching ids.
        candidates: Vec<String>,
    },
    /// `head` asked for while there are several.
    #[error(
        "there are several heads ({}); name one (REV, label@head), use `heads` to upgrade them all, or `merge` them",
        .0.join(", ")
    )]
    MultipleHeads(Vec<String>),
    /// A relative target cannot be followed.
    #[error("relative target {target}: {problem}")]
    Relative {
        /// The target as given.
        target: String,
        /// Why.
        problem: String,
    },
    /// A relative target goes past the end.
    #[error("relative target {target} goes {}: only {available} revision(s) to {}", if .direction.is_up() { "past head" } else { "below base" }, if .direction.is_up() { "apply" } else { "revert" })]
    OutOfRange {
        /// The target as given.
        target: String,
        /// Steps that exist.
        available: usize,
        /// Which way the target was asked for.
        direction: Direction,
    },
    /// An upgrade target that is below the current revision, or the reverse.
    #[error("{target} is not {} the current revision {current}; use `{}` instead", if .direction.is_up() { "above" } else { "below" }, if .direction.is_up() { "downgrade" } else { "upgrade" })]
    WrongDirection {
        /// The target.
        target: String,
        /// Where the database is.
        current: String,
        /// Which way the target was asked for.
        direction: Direction,
    },
    /// A `FROM:TO` range whose end is below its start.
    #[error("the range {from}:{to} is reversed: {to} is below {from}; write {to}:{from}")]
    ReversedRange {
        /// The start as given.
        from: String,
        /// The end as given.
        to: String,
    },
    /// The database is at a revision no file declares.
    #[error("the database is at revision {0}, which is not among the revision files (a different branch of the code, or a deleted file?); `stamp --purge REV` resets the version table")]
    UnknownCurrent(String),
    /// Some of a squash's revisions are in the versions folder and some are not.
    #[error("squash {squash} ({file}) replaces {}, but {} of them {} missing: keep them all until every database is past the squash, then delete them all", .replaces.join(", "), .missing.join(", "), if .missing.len() == 1 { "is" } else { "are" })]
    PartialSquash {
        /// The squash revision.
        squash: String,
        /// Its file.
        file: String,
        /// What it replaces.
        replaces: Vec<String>,
        /// Those of them no file declares.
        missing: Vec<String>,
    },
    /// A revision builds on a revision inside a squashed range (not its last).
    #[error("revision {id} ({file}) {relation} {inside}, which squash {squash} replaces from inside: only the last revision of a squashed range can be built on; make it revise {squash}")]
    IntoSquash {
        /// The revision.
        id: String,
        /// Its file.
        file: String,
        /// "revises" or "depends on".
        relation: &'static str,
        /// The replaced revision it names.
        inside: String,
        /// The squash.
        squash: String,
    },
    /// The database stopped inside a squashed range whose revisions were deleted.
    #[error("the database is at revision {current}, inside the range squash {squash} replaced, and those revisions were deleted: put their files back (version control has them) so that it can go on past the squash, then delete them again")]
    InsideSquash {
        /// Where the database is.
        current: String,
        /// The squash.
        squash: String,
    },
}

/// One node of the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Revision id.
    pub id: String,
    /// Parents.
    pub parents: Vec<String>,
    /// Cross-branch dependencies.
    pub depends_on: Vec<String>,
    /// Branch labels.
    pub branch_labels: Vec<String>,
    /// Message.
    pub message: String,
    /// File the revision lives in (for messages).
    pub file: String,
    /// The revisions this one squashes, oldest first.
    pub replaces: Vec<String>,
    /// Where the revision is in the compiled list the graph was built from.
    source: Option<usize>,
}

impl Node {
    /// The compiled revision of this node, from the list the graph was built
    /// from ([`RevisionMap::of`]) without searching it.
    pub fn migration(&self, migrations: &retort::Migrations) -> Option<&'static retort::Migration> {
        self.source
            .and_then(|i| migrations.revisions.get(i))
            .filter(|m| m.revision.id == self.id)
            .or_else(|| migrations.get(&self.id))
    }

    /// A node with parents only.
    pub fn new(id: &str, parents: &[&str], message: &str, file: &str) -> Node {
        Node {
            id: id.to_owned(),
            parents: parents.iter().map(|p| (*p).to_owned()).collect(),
            depends_on: Vec::new(),
            branch_labels: Vec::new(),
            message: message.to_owned(),
            file: file.to_owned(),
            replaces: Vec::new(),
            source: None,
        }
    }
}

/// Where an `upgrade`/`downgrade`/`stamp` goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Nothing applied.
    Base,
    /// These revisions applied, with everything they need; for a downgrade,
    /// everything above them reverted.
    Revisions(Vec<String>),
    /// A downgrade that reverts this revision and everything above it
    /// (`label@base`).
    Below(String),
}

/// The revision graph.
#[derive(Debug, Clone, Default)]
pub struct RevisionMap {
    nodes: BTreeMap<String, Node>,
    /// Ids in topological order (parents and dependencies first), stable.
    order: Vec<String>,
    children: HashMap<String, Vec<String>>,
    /// Revisions that depend on each revision.
    dependents: HashMap<String, Vec<String>>,
    labels: BTreeMap<String, String>,
    /// Every revision declared, squashes and the revisions they replace alike:
    /// what another view of the graph is built from ([`RevisionMap::for_current`]).
    declared: Vec<Node>,
    /// Ids a version table may hold that stand for another revision of this view:
    /// the last revision a squash replaces stands for the squash, a squash left
    /// out (its revisions are used) for the last of them.
    aliases: HashMap<String, String>,
    /// Revisions inside a squashed range (all but its last) → the squash, in a
    /// view that uses the squash.
    inside: HashMap<String, String>,
    /// Squashes left out of this view, their revisions used instead.
    unsquashed: BTreeSet<String>,
}

impl RevisionMap {
    /// The graph of compiled revision files, validated.
    pub fn of(migrations: &retort::Migrations) -> Result<Self, RevisionError> {
        let strings = |items: &[&str]| items.iter().map(|p| (*p).to_owned()).collect();
        RevisionMap::new(migrations.revisions.iter().enumerate().map(|(i, m)| Node {
            source: Some(i),
            id: m.revision.id.to_owned(),
            parents: strings(m.revision.down_revisions),
            depends_on: strings(m.revision.depends_on),
            branch_labels: strings(m.revision.branch_labels),
            message: m.revision.message.to_owned(),
            file: m.file.to_owned(),
            replaces: strings(m.revision.replaces),
        }))
    }

    /// Builds and validates the graph: unique ids and labels, existing parents and
    /// dependencies, no cycles. A squash stands in for the revisions it replaces
    /// (which may be there or deleted); [`RevisionMap::for_current`] gives the view
    /// a database inside a squashed range needs.
    pub fn new(nodes: impl IntoIterator<Item = Node>) -> Result<Self, RevisionError> {
        Self::view(nodes.into_iter().collect(), BTreeSet::new())
    }

    /// The graph a database at `current` moves in: where one of its rows is
    /// inside a squashed range whose revisions are still there, that squash is
    /// left out and its revisions used, so the database goes on with them past
    /// the range. Errors where such a range's revisions were deleted.
    pub fn for_current(
        &self,
        current: &[String],
    ) -> Result<std::borrow::Cow<'_, RevisionMap>, RevisionError> {
        match self.unsquash_for(current)? {
            None => Ok(std::borrow::Cow::Borrowed(self)),
            Some(unsquash) => {
                Self::view(self.declared.clone(), unsquash).map(std::borrow::Cow::Owned)
            }
        }
    }

    /// [`RevisionMap::for_current`], taking the map.
    pub fn into_current(self, current: &[String]) -> Result<RevisionMap, RevisionError> {
        match self.unsquash_for(current)? {
            None => Ok(self),
            Some(unsquash) => Self::view(self.declared, unsquash),
        }
    }

    /// The squashes to leave out for a database at `current`, when they differ
    /// from this view's.
    fn unsquash_for(&self, current: &[String]) -> Result<Option<BTreeSet<String>>, RevisionError> {
        let mut unsquash = self.unsquashed.clone();
        for row in current {
            if let Some(squash) = self.inside.get(row) {
                if self.declared.iter().any(|n| &n.id == row) {
                    unsquash.insert(squash.clone());
                } else {
                    return Err(RevisionError::InsideSquash {
                        current: row.clone(),
                        squash: squash.clone(),
                    });
                }
            }
        }
        Ok((unsquash != self.unsquashed).then_some(unsquash))
    }

    /// The revision a version-table row stands for in this view (itself, or the
    /// squash that replaced it, or the last revision of a squash left out).
    pub fn canonical<'a>(&'a self, id: &'a str) -> &'a str {
        self.aliases.get(id).map_or(id, String::as_str)
    }

    fn canonical_rows(&self, rows: &[String]) -> Vec<String> {
        let mut out: Vec<String> = Vec::with_capacity(rows.len());
        for row in rows {
            let id = self.canonical(row).to_owned();
            if !out.contains(&id) {
                out.push(id);
            }
        }
        out
    }

    /// The view leaving out `unsquash` (squashes whose replaced revisions it
    /// uses instead).
    fn view(declared: Vec<Node>, unsquash: BTreeSet<String>) -> Result<Self, RevisionError> {
        let by_id: HashMap<&str, &Node> = declared.iter().map(|n| (n.id.as_str(), n)).collect();
        // Which ids go, and what a reference to each becomes.
        let mut dropped: HashSet<String> = HashSet::new();
        let mut redirect: HashMap<String, String> = HashMap::new();
        let mut aliases = HashMap::new();
        let mut inside = HashMap::new();
        let mut unsquashed = BTreeSet::new();
        for squash in declared.iter().filter(|n| !n.replaces.is_empty()) {
            let missing: Vec<String> = squash
                .replaces
                .iter()
                .filter(|r| !by_id.contains_key(r.as_str()))
                .cloned()
                .collect();
            if !missing.is_empty() && missing.len() < squash.replaces.len() {
                return Err(RevisionError::PartialSquash {
                    squash: squash.id.clone(),
                    file: squash.file.clone(),
                    replaces: squash.replaces.clone(),
                    missing,
                });
            }
            let last = squash.replaces.last().expect("not empty").clone();
            if missing.is_empty() && unsquash.contains(&squash.id) {
                dropped.insert(squash.id.clone());
                redirect.insert(squash.id.clone(), last.clone());
                aliases.insert(squash.id.clone(), last);
                unsquashed.insert(squash.id.clone());
            } else {
                for replaced in &squash.replaces {
                    dropped.insert(replaced.clone());
                    if *replaced != last {
                        inside.insert(replaced.clone(), squash.id.clone());
                    }
                }
                redirect.insert(last.clone(), squash.id.clone());
                aliases.insert(last, squash.id.clone());
            }
        }
        let mut nodes = Vec::with_capacity(declared.len());
        for node in &declared {
            if dropped.contains(&node.id) {
                continue;
            }
            let mut node = node.clone();
            for (relation, targets) in [
                ("revises", &mut node.parents),
                ("depends on", &mut node.depends_on),
            ] {
                let mut kept: Vec<String> = Vec::with_capacity(targets.len());
                for target in targets.iter() {
                    if let Some(squash) = inside.get(target) {
                        if *squash != node.id {
                            return Err(RevisionError::IntoSquash {
                                id: node.id.clone(),
                                file: node.file.clone(),
                                relation,
                                inside: target.clone(),
                                squash: squash.clone(),
                            });
                        }
                    }
                    let target = redirect.get(target).unwrap_or(target).clone();
                    if !kept.contains(&target) {
                        kept.push(target);
                    }
                }
                *targets = kept;
            }
            nodes.push(node);
        }
        let mut map = Self::validated(nodes)?;
        map.declared = declared;
        map.aliases = aliases;
        map.inside = inside;
        map.unsquashed = unsquashed;
        Ok(map)
    }

    fn validated(nodes: Vec<Node>) -> Result<Self, RevisionError> {
        let mut map: BTreeMap<String, Node> = BTreeMap::new();
        for node in nodes {
            if let Some(problem) = retort_vocab::revision_id_problem(&node.id) {
                return Err(RevisionError::BadId {
                    id: node.id,
                    file: node.file,
                    problem,
                });
            }
            if let Some(first) = map.get(&node.id) {
                return Err(RevisionError::DuplicateId {
                    id: node.id.clone(),
                    first: first.file.clone(),
                    second: node.file,
                });
            }
            map.insert(node.id.clone(), node);
        }
        let mut children: HashMap<String, Vec<String>> = HashMap::new();
        let mut dependents: HashMap<String, Vec<String>> = HashMap::new();
        let mut labels = BTreeMap::new();
        for node in map.values() {
            for (relation, targets) in
                [("revises", &node.parents), ("depends on", &node.depends_on)]
            {
                for parent in targets {
                    if !map.contains_key(parent) {
                        return Err(RevisionError::UnknownParent {
                            id: node.id.clone(),
                            file: node.file.clone(),
                            relation,
                            parent: parent.clone(),
                        });
                    }
                }
            }
            for parent in &node.parents {
                children
                    .entry(parent.clone())
                    .or_default()
                    .push(node.id.clone());
            }
            for dep in &node.depends_on {
                dependents
                    .entry(dep.clone())
                    .or_default()
                    .push(node.id.clone());
            }
            for label in &node.branch_labels {
                if let Some(first) = labels.insert(label.clone(), node.id.clone()) {
                    return Err(RevisionError::DuplicateLabel {
                        label: label.clone(),
                        first,
                        second: node.id.clone(),
                    });
                }
            }
        }
        let order = topological(&map)?;
        Ok(RevisionMap {
            nodes: map,
            order,
            children,
            dependents,
            labels,
            ..RevisionMap::default()
        })
    }

    /// Whether there are no revisions.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// A revision by exact id.
    pub fn get(&self, id: &str) -> Option<&Node> {
        self.nodes.get(self.canonical(id))
    }

    /// All revisions, parents before children.
    pub fn in_order(&self) -> impl DoubleEndedIterator<Item = &Node> {
        self.order.iter().map(|id| &self.nodes[id])
    }

    /// The revisions that revise `id`.
    pub fn children(&self, id: &str) -> &[String] {
        self.children.get(id).map_or(&[], Vec::as_slice)
    }

    /// Whether `id` has several children (a branch point).
    pub fn is_branch_point(&self, id: &str) -> bool {
        self.children(id).len() > 1
    }

    /// Whether `id` has several parents (a merge point).
    pub fn is_merge_point(&self, id: &str) -> bool {
        self.nodes.get(id).is_some_and(|n| n.parents.len() > 1)
    }

    /// Revisions no other revision revises, in topological order.
    pub fn heads(&self) -> Vec<&str> {
        self.order
            .iter()
            .filter(|id| self.children(id).is_empty())
            .map(String::as_str)
            .collect()
    }

    /// The single head, or an error listing them.
    pub fn head(&self) -> Result<Option<&str>, RevisionError> {
        match self.heads().as_slice() {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            many => Err(RevisionError::MultipleHeads(
                many.iter().map(|s| s.to_string()).collect(),
            )),
        }
    }

    /// Branch labels and the revision each is on.
    pub fn labels(&self) -> &BTreeMap<String, String> {
        &self.labels
    }

    /// Finds a revision by full or unambiguous partial id.
    pub fn resolve_id(&self, spec: &str) -> Result<&Node, RevisionError> {
        if let Some(node) = self.get(spec) {
            return Ok(node);
        }
        if let Some(squash) = self.inside.get(spec) {
            return Err(RevisionError::Relative {
                target: spec.to_owned(),
                problem: format!(
                    "it is inside the range squash {squash} replaces: a database stops before the squash or after it"
                ),
            });
        }
        // An empty prefix would match every revision.
        if spec.trim().is_empty() {
            return Err(RevisionError::Unknown(spec.to_owned()));
        }
        let candidates: Vec<&Node> = self
            .nodes
            .values()
            .filter(|n| n.id.starts_with(spec))
            .collect();
        match candidates.as_slice() {
            [] => Err(RevisionError::Unknown(spec.to_owned())),
            [one] => Ok(one),
            many => Err(RevisionError::Ambiguous {
                prefix: spec.to_owned(),
                candidates: many.iter().map(|n| n.id.clone()).collect(),
            }),
        }
    }

    /// Every revision `ids` need: themselves, their parents and dependencies,
    /// transitively.
    pub fn ancestors<'a>(&'a self, ids: impl IntoIterator<Item = &'a str>) -> HashSet<&'a str> {
        let mut seen = HashSet::new();
        let mut stack: Vec<&str> = ids.into_iter().collect();
        while let Some(id) = stack.pop() {
            if let Some(node) = self.get(id) {
                if seen.insert(node.id.as_str()) {
                    stack.extend(node.parents.iter().map(String::as_str));
                    stack.extend(node.depends_on.iter().map(String::as_str));
                }
            }
        }
        seen
    }

    /// Every revision that needs `id` (children and dependents, transitively),
    /// `id` included.
    pub fn descendants<'a>(&'a self, id: &'a str) -> HashSet<&'a str> {
        let mut seen = HashSet::new();
        let mut stack = vec![self.canonical(id)];
        while let Some(id) = stack.pop() {
            if let Some((key, _)) = self.nodes.get_key_value(id) {
                if seen.insert(key.as_str()) {
                    stack.extend(self.children(key).iter().map(String::as_str));
                    stack.extend(
                        self.dependents
                            .get(key)
                            .into_iter()
                            .flatten()
                            .map(String::as_str),
                    );
                }
            }
        }
        seen
    }

    /// The head of a labelled branch: the one head above the labelled revision.
    pub fn label_head(&self, label: &str) -> Result<&str, RevisionError> {
        let start = self
            .labels
            .get(label)
            .ok_or_else(|| RevisionError::UnknownLabel(label.to_owned()))?;
        let above = self.descendants_by_parent(start);
        let heads: Vec<&str> = self
            .heads()
            .into_iter()
            .filter(|h| above.contains(h))
            .collect();
        match heads.as_slice() {
            [one] => Ok(one),
            many => Err(RevisionError::MultipleHeads(
                many.iter().map(|s| s.to_string()).collect(),
            )),
        }
    }

    fn descendants_by_parent<'a>(&'a self, id: &'a str) -> HashSet<&'a str> {
        let mut seen = HashSet::new();
        let mut stack = vec![id];
        while let Some(id) = stack.pop() {
            if seen.insert(id) {
                stack.extend(self.children(id).iter().map(String::as_str));
            }
        }
        seen
    }

    /// Checks the version table's rows against the graph.
    pub fn check_current(&self, current: &[String]) -> Result<(), RevisionError> {
        match current.iter().find(|id| self.get(id).is_none()) {
            Some(inside) if self.inside.contains_key(inside) => Err(RevisionError::InsideSquash {
                current: inside.clone(),
                squash: self.inside[inside].clone(),
            }),
            Some(unknown) => Err(RevisionError::UnknownCurrent(unknown.clone())),
            None => Ok(()),
        }
    }

    /// Revisions to apply, in order, to go from `current` up to `target`.
    pub fn upgrade_path(
        &self,
        current: &[String],
        target: &Target,
    ) -> Result<Vec<&Node>, RevisionError> {
        let current = &self.canonical_rows(current)[..];
        self.check_current(current)?;
        let applied = self.ancestors(current.iter().map(String::as_str));
        let wanted = match target {
            Target::Base | Target::Below(_) => HashSet::new(),
            Target::Revisions(ids) => {
                for id in ids {
                    // Asking for a revision below what is applied is a downgrade.
                    if applied.contains(id.as_str())
                        && !current.iter().any(|c| c == id)
                        && self
                            .children(id)
                            .iter()
                            .any(|c| applied.contains(c.as_str()))
                    {
                        return Err(RevisionError::WrongDirection {
                            target: id.clone(),
                            current: describe(current),
                            direction: Direction::Upgrade,
                        });
                    }
                }
                self.ancestors(ids.iter().map(String::as_str))
            }
        };
        Ok(self
            .order
            .iter()
            .filter(|id| wanted.contains(id.as_str()) && !applied.contains(id.as_str()))
            .map(|id| &self.nodes[id])
            .collect())
    }

    /// Revisions to revert, in order, to go from `current` down to `target`.
    /// Only what is above the target goes: other branches stay.
    pub fn downgrade_path(
        &self,
        current: &[String],
        target: &Target,
    ) -> Result<Vec<&Node>, RevisionError> {
        let current = &self.canonical_rows(current)[..];
        self.check_current(current)?;
        let applied = self.ancestors(current.iter().map(String::as_str));
        let remove: HashSet<&str> = match target {
            Target::Base => applied.clone(),
            Target::Revisions(ids) => {
                let mut remove = HashSet::new();
                for id in ids {
                    if !applied.contains(id.as_str()) {
                        return Err(RevisionError::WrongDirection {
                            target: id.clone(),
                            current: describe(current),
                            direction: Direction::Downgrade,
                        });
                    }
                    remove.extend(self.descendants(id).into_iter().filter(|d| d != id));
                }
                remove
            }
            Target::Below(id) => self.descendants(id),
        };
        Ok(self
            .order
            .iter()
            .rev()
            .filter(|id| applied.contains(id.as_str()) && remove.contains(id.as_str()))
            .map(|id| &self.nodes[id])
            .collect())
    }

    /// Resolves one revision spec: an id or prefix, `label@head`, `head`.
    fn resolve_one(&self, spec: &str) -> Result<String, RevisionError> {
        if let Some(label) = spec.strip_suffix("@head") {
            return Ok(self.label_head(label)?.to_owned());
        }
        if spec == "head" {
            return self
                .head()?
                .map(str::to_owned)
                .ok_or_else(|| RevisionError::Unknown("head (there are no revisions)".to_owned()));
        }
        Ok(self.resolve_id(spec)?.id.clone())
    }

    /// Walks `n` steps from `from` (up when `up`), following single children or
    /// parents. `None` is base.
    fn walk(
        &self,
        spec: &str,
        from: Option<&str>,
        n: usize,
        up: Direction,
    ) -> Result<Option<String>, RevisionError> {
        let mut at = from.map(str::to_owned);
        for step in 0..n {
            let next: Vec<String> = match (&at, up.is_up()) {
                (None, true) => self
                    .order
                    .iter()
                    .filter(|id| self.nodes[*id].parents.is_empty())
                    .cloned()
                    .collect(),
                (None, false) => Vec::new(),
                (Some(id), true) => self.children(id).to_vec(),
                (Some(id), false) => self.nodes[id].parents.clone(),
            };
            at = match next.as_slice() {
                [one] => Some(one.clone()),
                [] if !up.is_up() => {
                    if step + 1 == n {
                        None
                    } else {
                        return Err(RevisionError::OutOfRange {
                            target: spec.to_owned(),
                            available: step + 1,
                            direction: up,
                        });
                    }
                }
                [] => {
                    return Err(RevisionError::OutOfRange {
                        target: spec.to_owned(),
                        available: step,
                        direction: up,
                    })
                }
                many => {
                    return Err(RevisionError::Relative {
                        target: spec.to_owned(),
                        problem: format!(
                            "{} has several {} ({}); name the revision to go to",
                            at.as_deref().unwrap_or("base"),
                            if up.is_up() { "children" } else { "parents" },
                            many.join(", ")
                        ),
                    })
                }
            };
        }
        Ok(at)
    }

    fn single_current<'a>(
        &self,
        spec: &str,
        current: &'a [String],
    ) -> Result<Option<&'a str>, RevisionError> {
        match current {
            [] => Ok(None),
            [one] => Ok(Some(one)),
            many => Err(RevisionError::Relative {
                target: spec.to_owned(),
                problem: format!(
                    "the database is at several heads ({}); say which: REV{spec}",
                    many.join(", ")
                ),
            }),
        }
    }

    /// Resolves an upgrade target: `head`, `heads`, `label@head`, an id or prefix,
    /// `+N`, `REV+N`, `base`.
    pub fn resolve_upgrade(&self, current: &[String], spec: &str) -> Result<Target, RevisionError> {
        let current = &self.canonical_rows(current)[..];
        let spec = spec.trim();
        let as_target =
            |id: Option<String>| id.map_or(Target::Base, |id| Target::Revisions(vec![id]));
        if let Some((base, n)) = split_relative(spec, '+') {
            if n == 0 && base.is_empty() {
                // Zero steps: where it is.
                return Ok(stay(current));
            }
            let from = match base {
                "" => {
                    // One step at a time toward the single head.
                    let head = self.head()?;
                    let path = match head {
                        Some(h) => {
                            self.upgrade_path(current, &Target::Revisions(vec![h.to_owned()]))?
                        }
                        None => Vec::new(),
                    };
                    if n == 0 || n > path.len() {
                        return Err(RevisionError::OutOfRange {
                            target: spec.to_owned(),
                            available: path.len(),
                            direction: Direction::Upgrade,
                        });
                    }
                    return Ok(Target::Revisions(vec![path[n - 1].id.clone()]));
                }
                base => Some(self.resolve_one(base)?),
            };
            return Ok(as_target(self.walk(
                spec,
                from.as_deref(),
                n,
                Direction::Upgrade,
            )?));
        }
        match spec {
            "heads" => Ok(Target::Revisions(
                self.heads().into_iter().map(str::to_owned).collect(),
            )),
            "base" => Ok(Target::Base),
            "head" if self.is_empty() => Ok(Target::Base),
            other => Ok(Target::Revisions(vec![self.resolve_one(other)?])),
        }
    }

    /// Resolves a downgrade target: `base`, `label@base`, an id or prefix, `-N`,
    /// `REV-N`, `head`/`heads` (nothing to do).
    pub fn resolve_downgrade(
        &self,
        current: &[String],
        spec: &str,
    ) -> Result<Target, RevisionError> {
        let current = &self.canonical_rows(current)[..];
        let spec = spec.trim();
        if let Some((base, n)) = split_relative(spec, '-') {
            if n == 0 && base.is_empty() {
                return Ok(stay(current));
            }
            let from = match base {
                "" => self.single_current(spec, current)?.map(str::to_owned),
                base => Some(self.resolve_one(base)?),
            };
            if base.is_empty() && from.is_none() {
                return Err(RevisionError::OutOfRange {
                    target: spec.to_owned(),
                    available: 0,
                    direction: Direction::Downgrade,
                });
            }
            if base.is_empty() {
                // Count what is actually applied below the current head.
                let path = self.downgrade_path(current, &Target::Base)?;
                if n == 0 || n > path.len() {
                    return Err(RevisionError::OutOfRange {
                        target: spec.to_owned(),
                        available: path.len(),
                        direction: Direction::Downgrade,
                    });
                }
            }
            return Ok(
                match self.walk(spec, from.as_deref(), n, Direction::Downgrade)? {
                    Some(id) => Target::Revisions(vec![id]),
                    None => Target::Base,
                },
            );
        }
        if let Some(label) = spec.strip_suffix("@base") {
            let start = self
                .labels
                .get(label)
                .ok_or_else(|| RevisionError::UnknownLabel(label.to_owned()))?;
            return Ok(Target::Below(start.clone()));
        }
        match spec {
            "base" => Ok(Target::Base),
            "heads" => Ok(Target::Revisions(current.to_vec())),
            other => Ok(Target::Revisions(vec![self.resolve_one(other)?])),
        }
    }

    /// Resolves `stamp` targets: revisions, `head`, `heads`, `base`,
    /// `label@head`.
    pub fn resolve_stamp(&self, specs: &[String]) -> Result<Vec<String>, RevisionError> {
        let mut out = Vec::new();
        for spec in specs {
            match spec.trim() {
                "base" => {}
                "heads" => out.extend(self.heads().into_iter().map(str::to_owned)),
                other => out.push(self.resolve_one(other)?),
            }
        }
        Ok(out)
    }

    /// The version-table rows for "exactly `applied` is applied": the heads of
    /// that set (revisions none of whose applied children are applied).
    pub fn rows_for(&self, applied: &HashSet<&str>) -> Vec<String> {
        self.order
            .iter()
            .filter(|id| {
                applied.contains(id.as_str())
                    && !self
                        .children(id)
                        .iter()
                        .any(|k| applied.contains(k.as_str()))
            })
            .cloned()
            .collect()
    }

    /// [`RevisionMap::heads_after`] in O(1) for the plain step of a linear
    /// history, which needs no walk over the whole history: one row before, the
    /// revision its child going up, or the row itself going down, and no
    /// `depends_on` anywhere in the map (one row then always stands for exactly
    /// its ancestors). `None` otherwise. The revision is then known to need
    /// running: it is not applied going up, and applied going down.
    pub fn linear_step(
        &self,
        before: &[String],
        node: &Node,
        direction: Direction,
    ) -> Option<Vec<String>> {
        let [row] = before else { return None };
        if !self.dependents.is_empty() || !node.depends_on.is_empty() {
            return None;
        }
        match (direction.is_up(), node.parents.as_slice()) {
            (true, [parent]) if parent == row => Some(vec![node.id.clone()]),
            (false, parents) if *row == node.id && parents.len() <= 1 => Some(parents.to_vec()),
            _ => None,
        }
    }

    /// The version table's rows after applying (`up`) or reverting `node`, given
    /// the rows before.
    pub fn heads_after(&self, before: &[String], node: &Node, direction: Direction) -> Vec<String> {
        let up = direction.is_up();
        let mut applied = self.ancestors(before.iter().map(String::as_str));
        if up {
            applied.insert(&node.id);
        } else {
            applied.remove(node.id.as_str());
        }
        self.rows_for(&applied)
    }

    /// The rows after `stamp targets`: each target's branch set to the target
    /// (what is above it forgotten, what it needs marked applied); other
    /// branches kept unless `purge`.
    pub fn stamp_rows(&self, current: &[String], targets: &[String], purge: bool) -> Vec<String> {
        let mut applied: HashSet<&str> = if purge {
            HashSet::new()
        } else {
            self.ancestors(current.iter().map(String::as_str))
        };
        for target in targets {
            for above in self.descendants(target) {
                applied.remove(above);
            }
        }
        applied.extend(self.ancestors(targets.iter().map(String::as_str)));
        self.rows_for(&applied)
    }

    /// Revisions from `from` (inclusive; `base` for all) up to `to` (inclusive;
    /// `heads` for all), newest first: `history -r from:to`.
    pub fn range(&self, from: &str, to: &str) -> Result<Vec<&Node>, RevisionError> {
        let from_id = match from {
            "base" | "" => None,
            spec => Some(self.resolve_one(spec)?),
        };
        let to_id = match to {
            "heads" | "" => None,
            spec => Some(self.resolve_one(spec)?),
        };
        if let (Some(f), Some(t)) = (&from_id, &to_id) {
            if f != t && self.ancestors([f.as_str()]).contains(t.as_str()) {
                return Err(RevisionError::ReversedRange {
                    from: from.to_owned(),
                    to: to.to_owned(),
                });
            }
        }
        let lower: Option<HashSet<&str>> = from_id.map(|id| self.descendants(&self.nodes[&id].id));
        let upper: Option<HashSet<&str>> =
            to_id.map(|id| self.ancestors([self.nodes[&id].id.as_str()]));
        Ok(self
            .order
            .iter()
            .rev()
            .filter(|id| lower.as_ref().is_none_or(|l| l.contains(id.as_str())))
            .filter(|id| upper.as_ref().is_none_or(|u| u.contains(id.as_str())))
            .map(|id| &self.nodes[id])
            .collect())
    }
}

/// The target of zero steps: where the database is.
fn stay(current: &[String]) -> Target {
    if current.is_empty() {
        Target::Base
    } else {
        Target::Revisions(current.to_vec())
    }
}

/// `+3` → `("", 3)`, `ae10+2` → `("ae10", 2)`.
fn split_relative(spec: &str, sign: char) -> Option<(&str, usize)> {
    let (base, n) = spec.rsplit_once(sign)?;
    let n = n.parse().ok()?;
    // `base` with a minus inside is an id only if it has no sign of its own.
    Some((base, n))
}

/// `base` or `a, b`.
pub fn describe(current: &[String]) -> String {
    if current.is_empty() {
        "base".to_owned()
    } else {
        current.join(", ")
    }
}

fn topological(nodes: &BTreeMap<String, Node>) -> Result<Vec<String>, RevisionError> {
    let mut indegree: BTreeMap<&str, usize> = nodes.keys().map(|k| (k.as_str(), 0)).collect();
    let mut after: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for node in nodes.values() {
        for before in node.parents.iter().chain(&node.depends_on) {
            *indegree.entry(&node.id).or_default() += 1;
            after.entry(before).or_default().push(&node.id);
        }
    }
    let mut ready: BTreeSet<&str> = indegree
        .iter()
        .filter(|(_, d)| **d == 0)
        .map(|(k, _)| *k)
        .collect();
    let mut order = Vec::with_capacity(nodes.len());
    while let Some(id) = ready.pop_first() {
        order.push(id.to_owned());
        for next in after.get(id).into_iter().flatten() {
            let d = indegree.get_mut(next).expect("a node");
            *d -= 1;
            if *d == 0 {
                ready.insert(next);
            }
        }
    }
    if order.len() < nodes.len() {
        let cycle: Vec<String> = indegree
            .iter()
            .filter(|(_, d)| **d > 0)
            .map(|(k, _)| (*k).to_owned())
            .collect();
        return Err(RevisionError::Cycle(cycle));
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, parents: &[&str]) -> Node {
        Node::new(id, parents, &format!("rev {id}"), &format!("{id}.rs"))
    }

    fn linear() -> RevisionMap {
        RevisionMap::new([
            node("aa1", &[]),
            node("bb2", &["aa1"]),
            node("bc3", &["bb2"]),
        ])
        .unwrap()
    }

    /// base → r1 → (a1 → a2, b1) → m (merge of a2 and b1).
    fn branched() -> RevisionMap {
        let mut a1 = node("a1", &["r1"]);
        a1.branch_labels = vec!["alpha".into()];
        RevisionMap::new([
            node("r1", &[]),
            a1,
            node("a2", &["a1"]),
            node("b1", &["r1"]),
            node("m", &["a2", "b1"]),
        ])
        .unwrap()
    }

    fn ids(nodes: Vec<&Node>) -> Vec<&str> {
        nodes.iter().map(|n| n.id.as_str()).collect()
    }

    fn v(ids: &[&str]) -> Vec<String> {
        ids.iter().map(|s| s.to_string()).collect()
    }

    /// Wherever the O(1) linear step answers, it answers what the walk over every
    /// ancestor does, and it does not answer where the revision would be skipped.
    #[test]
    fn linear_step_agrees_with_heads_after() {
        let mut with_dependency = node("dd4", &["bc3"]);
        with_dependency.depends_on = vec!["aa1".into()];
        let depends = RevisionMap::new([
            node("aa1", &[]),
            node("bb2", &["aa1"]),
            node("bc3", &["bb2"]),
            with_dependency,
        ])
        .unwrap();
        let mut answered = 0;
        for map in [linear(), branched(), depends] {
            let rows: Vec<&str> = map.order.iter().map(String::as_str).collect();
            for n in &rows {
                let node = map.get(n).unwrap();
                for direction in [Direction::Upgrade, Direction::Downgrade] {
                    for before in rows.iter().map(|r| v(&[r])).chain([Vec::new()]) {
                        let Some(fast) = map.linear_step(&before, node, direction) else {
                            continue;
                        };
                        answered += 1;
                        let applied = map
                            .ancestors(before.iter().map(String::as_str))
                            .contains(node.id.as_str());
                        assert_ne!(
                            applied,
                            direction.is_up(),
                            "{n} {direction} from {before:?}"
                        );
                        assert_eq!(
                            fast,
                            map.heads_after(&before, node, direction),
                            "{n} {direction} from {before:?}"
                        );
                    }
                }
            }
        }
        // Up: each revision of one parent, from it (2 + 3); down: each revision of
        // at most one parent, from itself (3 + 4); never the merge, never where
        // the map has depends_on.
        assert_eq!(answered, 2 + 3 + 3 + 4);
    }

    #[test]
    fn heads_and_paths() {
        let map = linear();
        assert_eq!(map.heads(), vec!["bc3"]);
        let head = map.resolve_upgrade(&[], "head").unwrap();
        assert_eq!(
            ids(map.upgrade_path(&[], &head).unwrap()),
            vec!["aa1", "bb2", "bc3"]
        );
        let cur = v(&["bc3"]);
        assert_eq!(
            ids(map.downgrade_path(&cur, &Target::Base).unwrap()),
            vec!["bc3", "bb2", "aa1"]
        );
    }

    #[test]
    fn relative_targets() {
        let map = linear();
        assert_eq!(
            map.resolve_upgrade(&[], "+1").unwrap(),
            Target::Revisions(v(&["aa1"]))
        );
        let cur = v(&["bb2"]);
        assert_eq!(
            map.resolve_upgrade(&cur, "+1").unwrap(),
            Target::Revisions(v(&["bc3"]))
        );
        assert_eq!(
            map.resolve_downgrade(&cur, "-1").unwrap(),
            Target::Revisions(v(&["aa1"]))
        );
        assert_eq!(map.resolve_downgrade(&cur, "-2").unwrap(), Target::Base);
        let err = map.resolve_downgrade(&cur, "-5").unwrap_err();
        assert_eq!(
            err.to_string(),
            "relative target -5 goes below base: only 2 revision(s) to revert"
        );
        assert!(matches!(
            map.resolve_upgrade(&cur, "+2"),
            Err(RevisionError::OutOfRange { .. })
        ));
        assert_eq!(
            map.resolve_upgrade(&[], "aa1+2").unwrap(),
            Target::Revisions(v(&["bc3"]))
        );
        assert_eq!(
            map.resolve_downgrade(&cur, "bc3-2").unwrap(),
            Target::Revisions(v(&["aa1"]))
        );
        // Zero steps stay where the database is, at any revision or at base.
        assert_eq!(
            map.resolve_upgrade(&cur, "+0").unwrap(),
            Target::Revisions(cur.clone())
        );
        assert_eq!(
            map.resolve_downgrade(&cur, "-0").unwrap(),
            Target::Revisions(cur.clone())
        );
        assert_eq!(map.resolve_upgrade(&[], "+0").unwrap(), Target::Base);
        assert!(map
            .upgrade_path(&cur, &Target::Revisions(cur.clone()))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn a_reversed_range_is_an_error() {
        let map = linear();
        assert_eq!(map.range("aa1", "bc3").unwrap().len(), 3);
        assert_eq!(
            map.range("bc3", "aa1").unwrap_err().to_string(),
            "the range bc3:aa1 is reversed: aa1 is below bc3; write aa1:bc3"
        );
        assert_eq!(map.range("bb2", "bb2").unwrap().len(), 1);
    }

    #[test]
    fn partial_ids() {
        let map = linear();
        assert_eq!(map.resolve_id("a").unwrap().id, "aa1");
        let err = map.resolve_id("b").unwrap_err();
        assert_eq!(err.to_string(), "`b` is ambiguous: it matches bb2, bc3");
        assert_eq!(
            map.resolve_id("zz").unwrap_err(),
            RevisionError::Unknown("zz".into())
        );
    }

    #[test]
    fn validation() {
        let dup = RevisionMap::new([node("a", &[]), node("a", &[])]).unwrap_err();
        assert!(matches!(dup, RevisionError::DuplicateId { .. }));
        let parent = RevisionMap::new([node("a", &["nope"])]).unwrap_err();
        assert_eq!(
            parent.to_string(),
            "revision a (a.rs) revises nope, which is not among the revision files"
        );
        let cycle = RevisionMap::new([node("a", &["b"]), node("b", &["a"])]).unwrap_err();
        assert_eq!(cycle, RevisionError::Cycle(vec!["a".into(), "b".into()]));
        let bad = RevisionMap::new([node("a b", &[])]).unwrap_err();
        assert!(matches!(bad, RevisionError::BadId { .. }));
        let mut dep = node("b", &[]);
        dep.depends_on = vec!["ghost".into()];
        let err = RevisionMap::new([dep]).unwrap_err();
        assert_eq!(
            err.to_string(),
            "revision b (b.rs) depends on ghost, which is not among the revision files"
        );
    }

    #[test]
    fn wrong_direction() {
        let map = linear();
        let cur = v(&["bb2"]);
        assert!(matches!(
            map.upgrade_path(&cur, &Target::Revisions(v(&["aa1"]))),
            Err(RevisionError::WrongDirection {
                direction: Direction::Upgrade,
                ..
            })
        ));
        assert!(matches!(
            map.downgrade_path(&cur, &Target::Revisions(v(&["bc3"]))),
            Err(RevisionError::WrongDirection {
                direction: Direction::Downgrade,
                ..
            })
        ));
        assert_eq!(
            map.upgrade_path(&cur, &Target::Revisions(v(&["bb2"])))
                .unwrap()
                .len(),
            0
        );
    }

    #[test]
    fn branches_and_merges() {
        let map = branched();
        assert_eq!(map.heads(), vec!["m"]);
        assert!(map.is_branch_point("r1") && map.is_merge_point("m"));
        // Up one branch only: the other is not touched.
        // The branch's head is the merge, the one head above a1.
        assert_eq!(
            map.resolve_upgrade(&[], "alpha@head").unwrap(),
            Target::Revisions(v(&["m"]))
        );
        let path = map
            .upgrade_path(&[], &Target::Revisions(v(&["a2"])))
            .unwrap();
        assert_eq!(ids(path), ["r1", "a1", "a2"]);
        let rows = map.heads_after(&v(&["a1"]), map.get("a2").unwrap(), Direction::Upgrade);
        assert_eq!(rows, ["a2"]);
        // b1 joins as a second head, then the merge makes one row again.
        let rows = map.heads_after(&v(&["a2"]), map.get("b1").unwrap(), Direction::Upgrade);
        assert_eq!(rows, ["a2", "b1"]);
        let rows = map.heads_after(&v(&["a2", "b1"]), map.get("m").unwrap(), Direction::Upgrade);
        assert_eq!(rows, ["m"]);
        // Down from the merge to a1: m and a2 go, b1 stays.
        let path = map
            .downgrade_path(&v(&["m"]), &Target::Revisions(v(&["a1"])))
            .unwrap();
        assert_eq!(ids(path), ["m", "a2"]);
        let path = map
            .downgrade_path(&v(&["m"]), &Target::Below("a1".into()))
            .unwrap();
        assert_eq!(ids(path), ["m", "a2", "a1"]);
        assert_eq!(
            map.resolve_downgrade(&v(&["m"]), "alpha@base").unwrap(),
            Target::Below("a1".into())
        );
        // Relative moves across a branch point need a name.
        let err = map.resolve_upgrade(&[], "r1+1").unwrap_err();
        assert_eq!(
            err.to_string(),
            "relative target r1+1: r1 has several children (a1, b1); name the revision to go to"
        );
    }

    #[test]
    fn depends_on_pulls_in_the_dependency() {
        let mut b1 = node("b1", &[]);
        b1.depends_on = vec!["a1".into()];
        let map = RevisionMap::new([node("a0", &[]), node("a1", &["a0"]), b1]).unwrap();
        let path = map
            .upgrade_path(&[], &Target::Revisions(v(&["b1"])))
            .unwrap();
        assert_eq!(ids(path), ["a0", "a1", "b1"]);
        // Reverting the dependency reverts what depends on it.
        let path = map
            .downgrade_path(&v(&["a1", "b1"]), &Target::Revisions(v(&["a0"])))
            .unwrap();
        assert_eq!(ids(path), ["b1", "a1"]);
    }

    #[test]
    fn stamp_and_ranges() {
        let map = branched();
        assert_eq!(map.stamp_rows(&[], &v(&["a2"]), false), ["a2"]);
        assert_eq!(map.stamp_rows(&v(&["m"]), &v(&["a1"]), false), ["a1", "b1"]);
        assert_eq!(map.stamp_rows(&v(&["m"]), &v(&["b1"]), true), ["b1"]);
        assert_eq!(ids(map.range("a1", "heads").unwrap()), ["m", "a2", "a1"]);
        assert_eq!(ids(map.range("base", "b1").unwrap()), ["b1", "r1"]);
    }

    #[test]
    fn several_heads_are_named() {
        let map = RevisionMap::new([node("r", &[]), node("x", &["r"]), node("y", &["r"])]).unwrap();
        let err = map.resolve_upgrade(&[], "head").unwrap_err();
        assert_eq!(
            err.to_string(),
            "there are several heads (x, y); name one (REV, label@head), use `heads` to upgrade them all, or `merge` them"
        );
        assert_eq!(
            map.resolve_upgrade(&[], "heads").unwrap(),
            Target::Revisions(v(&["x", "y"]))
        );
    }
}
