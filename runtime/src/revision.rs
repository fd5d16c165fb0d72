//! Revision metadata and the revision graph. Pure: no files, no connections.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

/// What a revision file declares about itself:
/// `pub const REVISION: Revision = Revision::new("id", &["parent"], "message");`
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Revision {
    /// Revision id (12 hex digits when generated).
    pub id: &'static str,
    /// Parent revisions (empty for the first revision; several for a merge).
    pub down_revisions: &'static [&'static str],
    /// The message given to `revision -m`.
    pub message: &'static str,
}

impl Revision {
    /// Declares a revision.
    pub const fn new(
        id: &'static str,
        down_revisions: &'static [&'static str],
        message: &'static str,
    ) -> Self {
        Revision {
            id,
            down_revisions,
            message,
        }
    }
}

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
    /// A revision names a parent that does not exist.
    #[error("revision {id} ({file}) revises {parent}, which is not among the revision files")]
    UnknownParent {
        /// The revision.
        id: String,
        /// Its file.
        file: String,
        /// The missing parent.
        parent: String,
    },
    /// A revision id is empty or holds characters that do not belong in an id.
    #[error("revision id `{id}` in {file} is not valid: use letters, digits and `_` only")]
    BadId {
        /// The id.
        id: String,
        /// Its file.
        file: String,
    },
    /// The parents form a cycle.
    #[error("revisions form a cycle: {}", .0.join(" -> "))]
    Cycle(Vec<String>),
    /// A target names no revision.
    #[error("no revision matches `{0}`; `history` lists them")]
    Unknown(String),
    /// A partial id matches several revisions.
    #[error("`{prefix}` is ambiguous: it matches {}", .candidates.join(", "))]
    Ambiguous {
        /// What was given.
        prefix: String,
        /// Matching ids.
        candidates: Vec<String>,
    },
    /// `head` asked for while there are several.
    #[error("there are several heads ({}); name one of them, or merge them", .0.join(", "))]
    MultipleHeads(Vec<String>),
    /// A relative target goes past the end.
    #[error("relative target {target} goes {}: only {available} revision(s) to {}", if *.up { "past head" } else { "below base" }, if *.up { "apply" } else { "revert" })]
    OutOfRange {
        /// The target as given.
        target: String,
        /// Steps that exist.
        available: usize,
        /// Upgrade (`true`) or downgrade.
        up: bool,
    },
    /// An upgrade target that is below the current revision, or the reverse.
    #[error("{target} is not {} the current revision {current}; use `{}` instead", if *.up { "above" } else { "below" }, if *.up { "downgrade" } else { "upgrade" })]
    WrongDirection {
        /// The target.
        target: String,
        /// Where the database is.
        current: String,
        /// Upgrade (`true`) or downgrade.
        up: bool,
    },
    /// The database is at a revision no file declares.
    #[error("the database is at revision {0}, which is not among the revision files (a different branch of the code, or a deleted file?)")]
    UnknownCurrent(String),
}

/// One node of the graph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// Revision id.
    pub id: String,
    /// Parents.
    pub parents: Vec<String>,
    /// Message.
    pub message: String,
    /// File the revision lives in (for messages).
    pub file: String,
}

/// The revision graph.
#[derive(Debug, Clone, Default)]
pub struct RevisionMap {
    nodes: BTreeMap<String, Node>,
    /// Ids in topological order (parents before children), stable.
    order: Vec<String>,
    children: HashMap<String, Vec<String>>,
}

/// Where an `upgrade`/`downgrade` target resolves to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Before the first revision.
    Base,
    /// A revision.
    Rev(String),
}

impl RevisionMap {
    /// Builds and validates the graph: unique ids, existing parents, no cycles.
    pub fn new(nodes: impl IntoIterator<Item = Node>) -> Result<Self, RevisionError> {
        let mut map: BTreeMap<String, Node> = BTreeMap::new();
        for node in nodes {
            if node.id.is_empty()
                || !node
                    .id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                return Err(RevisionError::BadId {
                    id: node.id,
                    file: node.file,
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
        for node in map.values() {
            for parent in &node.parents {
                if !map.contains_key(parent) {
                    return Err(RevisionError::UnknownParent {
                        id: node.id.clone(),
                        file: node.file.clone(),
                        parent: parent.clone(),
                    });
                }
                children
                    .entry(parent.clone())
                    .or_default()
                    .push(node.id.clone());
            }
        }
        let order = topological(&map)?;
        Ok(RevisionMap {
            nodes: map,
            order,
            children,
        })
    }

    /// Whether there are no revisions.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// A revision by exact id.
    pub fn get(&self, id: &str) -> Option<&Node> {
        self.nodes.get(id)
    }

    /// All revisions, parents before children.
    pub fn in_order(&self) -> impl DoubleEndedIterator<Item = &Node> {
        self.order.iter().map(|id| &self.nodes[id])
    }

    /// Revisions no other revision revises, in topological order.
    pub fn heads(&self) -> Vec<&str> {
        self.order
            .iter()
            .filter(|id| self.children.get(*id).is_none_or(Vec::is_empty))
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

    /// Finds a revision by full or unambiguous partial id.
    pub fn resolve_id(&self, spec: &str) -> Result<&Node, RevisionError> {
        if let Some(node) = self.nodes.get(spec) {
            return Ok(node);
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

    /// Every revision `ids` stand on, themselves included.
    pub fn ancestors<'a>(&'a self, ids: impl IntoIterator<Item = &'a str>) -> HashSet<&'a str> {
        let mut seen = HashSet::new();
        let mut stack: Vec<&str> = ids.into_iter().collect();
        while let Some(id) = stack.pop() {
            if let Some(node) = self.nodes.get(id) {
                if seen.insert(node.id.as_str()) {
                    stack.extend(node.parents.iter().map(String::as_str));
                }
            }
        }
        seen
    }

    /// Checks the version table's rows against the graph.
    pub fn check_current(&self, current: &[String]) -> Result<(), RevisionError> {
        match current.iter().find(|id| !self.nodes.contains_key(*id)) {
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
        self.check_current(current)?;
        let applied = self.ancestors(current.iter().map(String::as_str));
        let wanted = match target {
            Target::Base => HashSet::new(),
            Target::Rev(id) => self.ancestors([id.as_str()]),
        };
        if let Target::Rev(id) = target {
            if applied.contains(id.as_str()) && !current.iter().any(|c| c == id) {
                return Err(RevisionError::WrongDirection {
                    target: id.clone(),
                    current: describe(current),
                    up: true,
                });
            }
        }
        Ok(self
            .order
            .iter()
            .filter(|id| wanted.contains(id.as_str()) && !applied.contains(id.as_str()))
            .map(|id| &self.nodes[id])
            .collect())
    }

    /// Revisions to revert, in order, to go from `current` down to `target`.
    pub fn downgrade_path(
        &self,
        current: &[String],
        target: &Target,
    ) -> Result<Vec<&Node>, RevisionError> {
        self.check_current(current)?;
        let applied = self.ancestors(current.iter().map(String::as_str));
        let keep = match target {
            Target::Base => HashSet::new(),
            Target::Rev(id) => {
                if !applied.contains(id.as_str()) {
                    return Err(RevisionError::WrongDirection {
                        target: id.clone(),
                        current: describe(current),
                        up: false,
                    });
                }
                self.ancestors([id.as_str()])
            }
        };
        Ok(self
            .order
            .iter()
            .rev()
            .filter(|id| applied.contains(id.as_str()) && !keep.contains(id.as_str()))
            .map(|id| &self.nodes[id])
            .collect())
    }

    /// Resolves an upgrade target: `head`, `heads`, an id or partial id, `+N`.
    pub fn resolve_upgrade(&self, current: &[String], spec: &str) -> Result<Target, RevisionError> {
        let spec = spec.trim();
        if let Some(n) = relative(spec, '+') {
            let head = self.head()?.map(str::to_owned);
            let head = match head {
                Some(h) => Target::Rev(h),
                None => Target::Base,
            };
            let path = self.upgrade_path(current, &head)?;
            if n == 0 || n > path.len() {
                return Err(RevisionError::OutOfRange {
                    target: spec.to_owned(),
                    available: path.len(),
                    up: true,
                });
            }
            return Ok(Target::Rev(path[n - 1].id.clone()));
        }
        match spec {
            "head" | "heads" => Ok(match self.head()? {
                Some(h) => Target::Rev(h.to_owned()),
                None => Target::Base,
            }),
            "base" => Ok(Target::Base),
            id => Ok(Target::Rev(self.resolve_id(id)?.id.clone())),
        }
    }

    /// Resolves a downgrade target: `base`, an id or partial id, `-N`.
    pub fn resolve_downgrade(
        &self,
        current: &[String],
        spec: &str,
    ) -> Result<Target, RevisionError> {
        let spec = spec.trim();
        if let Some(n) = relative(spec, '-') {
            let path = self.downgrade_path(current, &Target::Base)?;
            if n == 0 || n > path.len() {
                return Err(RevisionError::OutOfRange {
                    target: spec.to_owned(),
                    available: path.len(),
                    up: false,
                });
            }
            return Ok(match path.get(n) {
                // Reverting n revisions leaves the database at the next one down.
                Some(node) => Target::Rev(node.id.clone()),
                None => Target::Base,
            });
        }
        match spec {
            "base" => Ok(Target::Base),
            "head" | "heads" => Ok(match self.head()? {
                Some(h) => Target::Rev(h.to_owned()),
                None => Target::Base,
            }),
            id => Ok(Target::Rev(self.resolve_id(id)?.id.clone())),
        }
    }

    /// The version table's rows after applying (`up`) or reverting `node`, given
    /// the rows before: the heads of what is applied.
    pub fn heads_after(&self, before: &[String], node: &Node, up: bool) -> Vec<String> {
        let mut applied: BTreeSet<&str> = self
            .ancestors(before.iter().map(String::as_str))
            .into_iter()
            .collect();
        if up {
            applied.insert(&node.id);
        } else {
            applied.remove(node.id.as_str());
        }
        self.order
            .iter()
            .filter(|id| {
                applied.contains(id.as_str())
                    && !self
                        .children
                        .get(*id)
                        .is_some_and(|kids| kids.iter().any(|k| applied.contains(k.as_str())))
            })
            .cloned()
            .collect()
    }
}

fn relative(spec: &str, sign: char) -> Option<usize> {
    spec.strip_prefix(sign).and_then(|n| n.parse().ok())
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
    let mut children: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for node in nodes.values() {
        for parent in &node.parents {
            *indegree.entry(&node.id).or_default() += 1;
            children.entry(parent).or_default().push(&node.id);
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
        for child in children.get(id).into_iter().flatten() {
            let d = indegree.get_mut(child).expect("child is a node");
            *d -= 1;
            if *d == 0 {
                ready.insert(child);
            }
        }
    }
    if order.len() < nodes.len() {
        let mut cycle: Vec<String> = indegree
            .iter()
            .filter(|(_, d)| **d > 0)
            .map(|(k, _)| (*k).to_owned())
            .collect();
        cycle.sort();
        return Err(RevisionError::Cycle(cycle));
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: &str, parents: &[&str]) -> Node {
        Node {
            id: id.into(),
            parents: parents.iter().map(|p| p.to_string()).collect(),
            message: format!("rev {id}"),
            file: format!("{id}.rs"),
        }
    }

    fn linear() -> RevisionMap {
        RevisionMap::new([
            node("aa1", &[]),
            node("bb2", &["aa1"]),
            node("bc3", &["bb2"]),
        ])
        .unwrap()
    }

    fn ids(nodes: Vec<&Node>) -> Vec<&str> {
        nodes.iter().map(|n| n.id.as_str()).collect()
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
        let cur = vec!["bc3".to_owned()];
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
            Target::Rev("aa1".into())
        );
        let cur = vec!["bb2".to_owned()];
        assert_eq!(
            map.resolve_upgrade(&cur, "+1").unwrap(),
            Target::Rev("bc3".into())
        );
        assert_eq!(
            map.resolve_downgrade(&cur, "-1").unwrap(),
            Target::Rev("aa1".into())
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
    }

    #[test]
    fn wrong_direction() {
        let map = linear();
        let cur = vec!["bb2".to_owned()];
        assert!(matches!(
            map.upgrade_path(&cur, &Target::Rev("aa1".into())),
            Err(RevisionError::WrongDirection { up: true, .. })
        ));
        assert!(matches!(
            map.downgrade_path(&cur, &Target::Rev("bc3".into())),
            Err(RevisionError::WrongDirection { up: false, .. })
        ));
        assert_eq!(
            map.upgrade_path(&cur, &Target::Rev("bb2".into()))
                .unwrap()
                .len(),
            0
        );
    }

    #[test]
    fn heads_after_steps() {
        let map = linear();
        let b = map.get("bb2").unwrap();
        assert_eq!(
            map.heads_after(&["aa1".into()], b, true),
            vec!["bb2".to_owned()]
        );
        assert_eq!(
            map.heads_after(&["bb2".into()], b, false),
            vec!["aa1".to_owned()]
        );
        let a = map.get("aa1").unwrap();
        assert!(map.heads_after(&["aa1".into()], a, false).is_empty());
    }
}
