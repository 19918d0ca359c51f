//! A small arena allocator for syntax nodes.

use std::collections::HashMap;
use std::fmt;

pub type NodeId = u32;

const ROOT: NodeId = 0;
static NAMES: &[&str] = &["root", "leaf", "branch", "other", "unknown"];
const MAX_DEPTH: usize = 64;

/// A node of the tree.
/// Children are stored by id.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: Kind,
    pub parent: Option<NodeId>,
    pub children: Vec<NodeId>,
}

/// What a node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    Root,
    Leaf(u8),
    Branch { arity: u8 },
}

pub struct Arena {
    nodes: Vec<Node>,
    index: HashMap<Kind, Vec<NodeId>>,
}

impl Arena {
    /// Creates an arena with just the root.
    pub fn new() -> Self {
        let root = Node { kind: Kind::Root, parent: None, children: Vec::new() };
        Arena { nodes: vec![root], index: HashMap::new() }
    }

    // alloc adds a child of parent and returns its id.
    pub fn alloc(&mut self, parent: NodeId, kind: Kind) -> NodeId {
        let id = self.nodes.len() as NodeId;
        self.nodes.push(Node { kind, parent: Some(parent), children: Vec::new() });
        self.nodes[parent as usize].children.push(id);
        self.index.entry(kind).or_default().push(id);
        id
    }

    pub fn get(&self, id: NodeId) -> Option<&Node> {
        self.nodes.get(id as usize)
    }
}

/// Visitor walks nodes depth first.
pub trait Visitor {
    fn visit(&mut self, arena: &Arena, id: NodeId);

    /// Called after all children were visited.
    fn leave(&mut self, _arena: &Arena, _id: NodeId) {}
}

impl fmt::Display for Arena {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "arena of {} nodes", self.nodes.len())
    }
}

impl<T: Visitor> Walk for T {}

pub fn depth(arena: &Arena, mut id: NodeId) -> usize {
    let mut d = 0;
    while let Some(p) = arena.get(id).and_then(|n| n.parent) {
        id = p;
        d += 1;
    }
    d
}

mod tests {
    use super::*;

    #[test]
    fn alloc_links_parent() {
        let mut a = Arena::new();
        let id = a.alloc(ROOT, Kind::Leaf(1));
        assert_eq!(a.get(ROOT).unwrap().children, vec![id]);
    }
}
