//! Duplicate pairs joined into groups (spec 4.7). Pairs are joined
//! strongest first, so the links kept form the strongest spanning tree of
//! each group, and a join is refused when the merged group would hold
//! records of two companies or a record with its own parent: a chain of
//! pairs must not achieve what a single pair may not.

use std::collections::HashMap;

use super::compare::Edge;
use super::profile::Profile;

/// A group before it is dressed for output.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupDraft {
    /// Indices into the profiles, ascending by record id.
    pub members: Vec<u32>,
    /// Duplicate pairs inside the group, by record ids.
    pub pairs: Vec<Edge>,
    /// Scores of the pairs that joined the group (its spanning tree).
    pub tree: Vec<f64>,
}

impl GroupDraft {
    pub fn group_score(&self) -> f64 {
        self.pairs.iter().map(|e| e.score.score).fold(0.0, f64::max)
    }

    pub fn weakest_link(&self) -> f64 {
        self.tree.iter().copied().fold(f64::INFINITY, f64::min)
    }
}

/// Joins duplicate pairs into groups of two or more records, strongest
/// group first (ties: lowest member id first).
pub fn group(profiles: &[Profile], mut edges: Vec<Edge>) -> Vec<GroupDraft> {
    let id = |index: u32| profiles[index as usize].id;
    edges.sort_by(|x, y| {
        y.score
            .score
            .total_cmp(&x.score.score)
            .then_with(|| (id(x.a), id(x.b)).cmp(&(id(y.a), id(y.b))))
    });
    let mut sets = Sets::new(profiles);
    let mut tree_edges = Vec::new();
    let mut inner_edges = Vec::new();
    for edge in edges {
        let (ra, rb) = (sets.find(edge.a), sets.find(edge.b));
        if ra == rb {
            inner_edges.push(edge);
        } else if sets.may_join(ra, rb) {
            sets.join(ra, rb);
            tree_edges.push(edge);
        }
    }
    let mut drafts: HashMap<u32, GroupDraft> = HashMap::new();
    for (edge, in_tree) in tree_edges
        .iter()
        .map(|e| (e, true))
        .chain(inner_edges.iter().map(|e| (e, false)))
    {
        let root = sets.find(edge.a);
        let draft = drafts.entry(root).or_insert_with(|| GroupDraft {
            members: sets.members[root as usize].clone(),
            pairs: Vec::new(),
            tree: Vec::new(),
        });
        let (a, b) = if id(edge.a) < id(edge.b) {
            (edge.a, edge.b)
        } else {
            (edge.b, edge.a)
        };
        draft.pairs.push(Edge { a, b, ..*edge });
        if in_tree {
            draft.tree.push(edge.score.score);
        }
    }
    let mut drafts: Vec<GroupDraft> = drafts.into_values().collect();
    for draft in &mut drafts {
        draft.members.sort_unstable_by_key(|&m| id(m));
        draft.pairs.sort_unstable_by_key(|e| (id(e.a), id(e.b)));
    }
    drafts.sort_by(|x, y| {
        y.group_score()
            .total_cmp(&x.group_score())
            .then_with(|| id(x.members[0]).cmp(&id(y.members[0])))
    });
    drafts
}

/// Union-find over record indices that remembers each set's members and
/// company, to refuse joins the spec forbids.
struct Sets {
    parent: Vec<u32>,
    members: Vec<Vec<u32>>,
    company: Vec<Option<i64>>,
    /// The index of each record's parent record, when it was read too.
    parent_record: Vec<Option<u32>>,
    /// The indices of each record's children that were read too.
    children: Vec<Vec<u32>>,
}

impl Sets {
    fn new(profiles: &[Profile]) -> Self {
        let by_id: HashMap<i64, u32> = (0u32..).zip(profiles).map(|(i, p)| (p.id, i)).collect();
        let parent_record: Vec<Option<u32>> = profiles
            .iter()
            .map(|p| p.parent.and_then(|parent| by_id.get(&parent).copied()))
            .collect();
        let mut children = vec![Vec::new(); profiles.len()];
        for (child, parent) in (0u32..).zip(&parent_record) {
            if let Some(parent) = parent {
                children[*parent as usize].push(child);
            }
        }
        Self {
            parent: (0..).take(profiles.len()).collect(),
            members: (0..).take(profiles.len()).map(|i| vec![i]).collect(),
            company: profiles.iter().map(|p| p.company).collect(),
            parent_record,
            children,
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let up = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = up;
            x = up;
        }
        x
    }

    /// Whether two roots may be joined: not two companies, and no member
    /// of one is the parent of a member of the other.
    fn may_join(&mut self, ra: u32, rb: u32) -> bool {
        if let (Some(x), Some(y)) = (self.company[ra as usize], self.company[rb as usize])
            && x != y
        {
            return false;
        }
        let (small, other) = if self.members[ra as usize].len() <= self.members[rb as usize].len() {
            (ra, rb)
        } else {
            (rb, ra)
        };
        let small_members = self.members[small as usize].clone();
        for member in small_members {
            let relatives: Vec<u32> = self.parent_record[member as usize]
                .into_iter()
                .chain(self.children[member as usize].iter().copied())
                .collect();
            for relative in relatives {
                if self.find(relative) == other {
                    return false;
                }
            }
        }
        true
    }

    fn join(&mut self, ra: u32, rb: u32) {
        let (big, small) = if self.members[ra as usize].len() >= self.members[rb as usize].len() {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small as usize] = big;
        let moved = std::mem::take(&mut self.members[small as usize]);
        self.members[big as usize].extend(moved);
        if self.company[big as usize].is_none() {
            self.company[big as usize] = self.company[small as usize];
        }
    }
}
