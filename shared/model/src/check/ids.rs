//! Dense ids: what a VPC's per-key answers are kept by. Each kind of id is its own type, so a
//! subnet id never indexes a table of group lists, and tables say what they are indexed by.

use std::hash::Hash;
use std::marker::PhantomData;
use std::ops::{Index, IndexMut};

use crate::fxhash::FxHashMap;

/// A dense id: a position in the tables of one VPC.
pub(in crate::check) trait DenseId: Copy {
    /// The id at `position`.
    fn at(position: usize) -> Self;
    /// The id's position.
    fn position(self) -> usize;
}

/// Declares dense id types.
macro_rules! dense_ids {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub(in crate::check) struct $name(u32);

        impl DenseId for $name {
            #[inline]
            fn at(position: usize) -> Self {
                $name(position as u32)
            }
            #[inline]
            fn position(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

dense_ids! {
    /// A workload of the VPC, in ENI id order.
    WorkloadIdx;
    /// A subnet of the VPC (of a workload or an endpoint ENI).
    SubnetIdx;
    /// A security group named by a workload of the VPC.
    GroupIdx;
    /// A distinct list of security groups carried by workloads of the VPC.
    GroupListIdx;
    /// A resource on the path of a pair (group, ACL, route table, endpoint, VPC).
    ResourceIdx;
    /// An endpoint of the VPC, in the order checked.
    EndpointIdx;
    /// An ENI of an endpoint of the VPC, numbered across the VPC's endpoints.
    EniIdx;
    /// An IPv6 address of an endpoint ENI of the VPC (a target of the IPv6 path), numbered
    /// across the VPC's endpoints.
    Target6Idx;
    /// A built hop, in the arena of the hop cache.
    HopIdx;
    /// A column of endpoint-side ACL answers: one per (ENI subnet, service ports).
    AclColumn;
    /// A column of endpoint-group answers: one per (endpoint groups, service ports).
    IngressColumn;
    /// A workload of another VPC than the endpoint's, numbered over the whole snapshot.
    RemoteIdx;
    /// A class of such workloads: the same subnet, group list and address atom.
    ClassIdx;
    /// A subnet of such workloads.
    RemoteSubnetIdx;
    /// A group list of such workloads.
    RemoteListIdx;
    /// A (subnet, address atom) of such workloads.
    CellIdx;
}

/// A table with one `T` per id of type `I`.
#[derive(Debug, Clone)]
pub(in crate::check) struct Table<I, T> {
    items: Vec<T>,
    id: PhantomData<fn(I)>,
}

impl<I: DenseId, T> Table<I, T> {
    /// `len` copies of `value`.
    pub(in crate::check) fn filled(value: T, len: usize) -> Self
    where
        T: Clone,
    {
        Table::from(vec![value; len])
    }

    /// How many entries.
    pub(in crate::check) fn len(&self) -> usize {
        self.items.len()
    }

    /// Every id with its entry.
    pub(in crate::check) fn iter(&self) -> impl Iterator<Item = (I, &T)> {
        self.items.iter().enumerate().map(|(at, t)| (I::at(at), t))
    }

    /// Every entry, mutable, with its id.
    pub(in crate::check) fn iter_mut(&mut self) -> impl Iterator<Item = (I, &mut T)> {
        self.items
            .iter_mut()
            .enumerate()
            .map(|(at, t)| (I::at(at), t))
    }

    /// Every id.
    pub(in crate::check) fn ids(&self) -> impl Iterator<Item = I> {
        (0..self.items.len()).map(I::at)
    }

    /// Grows the table to `len` entries with `value`.
    pub(in crate::check) fn resize(&mut self, len: usize, value: T)
    where
        T: Clone,
    {
        self.items.resize(len, value);
    }

    /// Appends an entry.
    pub(in crate::check) fn push(&mut self, value: T) -> I {
        self.items.push(value);
        I::at(self.items.len() - 1)
    }
}

impl<I, T> From<Vec<T>> for Table<I, T> {
    fn from(items: Vec<T>) -> Self {
        Table {
            items,
            id: PhantomData,
        }
    }
}

impl<I, T> FromIterator<T> for Table<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(items: It) -> Self {
        Table::from(items.into_iter().collect::<Vec<T>>())
    }
}

impl<I: DenseId, T> Index<I> for Table<I, T> {
    type Output = T;
    #[inline]
    fn index(&self, id: I) -> &T {
        &self.items[id.position()]
    }
}

impl<I: DenseId, T> IndexMut<I> for Table<I, T> {
    #[inline]
    fn index_mut(&mut self, id: I) -> &mut T {
        &mut self.items[id.position()]
    }
}

/// Dense ids for distinct values, in first-seen order.
pub(in crate::check) struct Interner<K, I> {
    ids: FxHashMap<K, I>,
    values: Table<I, K>,
}

impl<K: Hash + Eq + Copy, I: DenseId> Interner<K, I> {
    pub(in crate::check) fn new() -> Self {
        Interner {
            ids: FxHashMap::default(),
            values: Table::from(Vec::new()),
        }
    }

    /// The id of `value`, new if unseen.
    pub(in crate::check) fn id(&mut self, value: K) -> I {
        if let Some(&id) = self.ids.get(&value) {
            return id;
        }
        let id = self.values.push(value);
        self.ids.insert(value, id);
        id
    }

    /// The value of an id.
    pub(in crate::check) fn value(&self, id: I) -> K {
        self.values[id]
    }

    /// How many distinct values.
    pub(in crate::check) fn len(&self) -> usize {
        self.values.len()
    }

    /// Every id.
    pub(in crate::check) fn ids(&self) -> impl Iterator<Item = I> {
        self.values.ids()
    }
}

/// Short lists of ids one after the other in one buffer (the groups of each group list, the
/// resources of each list or subnet), one list per id of type `L`: a VPC's lists are read
/// again for every endpoint, and one buffer stays in cache where a vector per list would not.
#[derive(Debug)]
pub(in crate::check) struct IdLists<L, I> {
    ids: Vec<I>,
    ends: Table<L, u32>,
}

impl<L: DenseId, I: Copy> IdLists<L, I> {
    pub(in crate::check) fn new() -> Self {
        IdLists {
            ids: Vec::new(),
            ends: Table::from(Vec::new()),
        }
    }

    /// Appends a list.
    pub(in crate::check) fn push(&mut self, ids: impl IntoIterator<Item = I>) -> L {
        self.ids.extend(ids);
        self.ends.push(self.ids.len() as u32)
    }

    /// List `list`.
    pub(in crate::check) fn get(&self, list: L) -> &[I] {
        let at = list.position();
        let start = if at == 0 {
            0
        } else {
            self.ends[L::at(at - 1)] as usize
        };
        &self.ids[start..self.ends[list] as usize]
    }

    /// How many lists.
    pub(in crate::check) fn len(&self) -> usize {
        self.ends.len()
    }

    /// Every list, in order.
    pub(in crate::check) fn iter(&self) -> impl Iterator<Item = &[I]> {
        self.ends.ids().map(|l| self.get(l))
    }
}
