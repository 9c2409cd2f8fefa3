//! Feature activation over the locked graph, as cargo's dependency resolver does it for
//! `cargo metadata`: which optional dependencies the requested features turn on, and so
//! which locked edges and packages are in the resolve.
//!
//! Cargo.lock holds every optional dependency whatever features are on. `cargo metadata`
//! (without `--all-features`) resolves with the members' requested features: each member
//! with the command line's features (resolver 2: a feature applies to every member that has
//! it), its default features unless `--no-default-features`, and its dev-dependencies; then
//! each activated dependency declaration passes on its `features`, `default-features` and
//! the `x/feat` values of the features enabled on its parent. Features unify per package
//! across the whole workspace, every platform and every kind (the dependency resolver
//! ignores platforms; `--filter-platform` only filters afterwards). A weak `x?/feat` turns
//! `x` on in this resolver (cargo narrows it only in the build's feature resolver, which
//! `cargo metadata`'s resolve does not show). Packages reached only through optional
//! declarations no feature turns on drop out.
//!
//! Pure: the declarations and feature tables are passed in. Where a reached package's facts
//! are missing, or a requested feature does not exist (cargo would refuse it), the answer
//! is that it cannot be decided, with why: never a guess.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use crate::graph::Kind;

/// The feature flags of the command line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Requested {
    /// `--features`, each item split on commas and spaces.
    pub features: Vec<String>,
    pub all_features: bool,
    pub no_default_features: bool,
}

impl Requested {
    /// The flags, with `--features` values split as cargo splits them.
    pub fn new(features: &[String], all_features: bool, no_default_features: bool) -> Requested {
        Requested {
            features: features
                .iter()
                .flat_map(|f| f.split([',', ' ']))
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
            all_features,
            no_default_features,
        }
    }

    /// Whether any flag changes the members' features from their defaults.
    pub fn any(&self) -> bool {
        !self.features.is_empty() || self.all_features || self.no_default_features
    }
}

/// One dependency declaration, as activation reads it.
#[derive(Clone, Copy, Debug)]
pub struct Decl<'a> {
    /// The key as written (the name features refer to it by).
    pub key: &'a str,
    pub kind: Kind,
    pub optional: bool,
    pub features: &'a [String],
    pub default_features: bool,
}

/// One package's facts: its declarations (edges name them by index) and `[features]` table.
#[derive(Clone, Debug)]
pub struct Facts<'a> {
    pub name: &'a str,
    pub label: String,
    pub decls: Vec<Decl<'a>>,
    pub table: &'a BTreeMap<String, Vec<String>>,
    pub is_member: bool,
}

/// One locked edge: from, to, and the declarations of `from` behind it.
pub type Link<'a> = (usize, usize, &'a [u32]);

/// A package's activated features and dependency keys (with the features asked of each).
#[derive(Default)]
struct State {
    features: BTreeSet<String>,
    deps: BTreeMap<String, BTreeSet<String>>,
}

/// Which of `links` are in the resolve cargo makes with `requested` from `members`: by link
/// index, kept or not. `Err` says why it cannot be decided, naming a package without facts
/// by its `label`.
pub fn activate(
    packages: &[Option<Facts<'_>>],
    links: &[Link<'_>],
    members: &[usize],
    requested: &Requested,
    label: &dyn Fn(usize) -> String,
) -> Result<Vec<bool>, String> {
    let tables: Vec<Option<BTreeMap<String, Vec<String>>>> = packages
        .iter()
        .map(|p| p.as_ref().map(effective_table))
        .collect();
    let mut out_links: Vec<Vec<usize>> = vec![Vec::new(); packages.len()];
    for (k, &(from, _, _)) in links.iter().enumerate() {
        out_links[from].push(k);
    }
    let mut act = Activation {
        packages,
        label,
        tables: &tables,
        states: (0..packages.len()).map(|_| None).collect(),
        queue: VecDeque::new(),
    };
    let mut matched = vec![false; requested.features.len()];
    for &m in members {
        act.request_member(m, requested, &mut matched)?;
    }
    if let Some(i) = matched.iter().position(|m| !m) {
        // cargo refuses a feature no member has.
        return Err(format!("no member has feature `{}`", requested.features[i]));
    }
    let mut kept = vec![false; links.len()];
    let mut sent: HashMap<(usize, usize), (BTreeSet<String>, bool)> = HashMap::new();
    while let Some(p) = act.queue.pop_front() {
        let facts = act.facts(p)?;
        let state = act.states[p].as_ref().expect("queued packages are active");
        // cargo refuses a value naming a dependency the package does not have.
        let usable = |d: &Decl<'_>| d.kind != Kind::Dev || facts.is_member;
        if let Some(missing) = state
            .deps
            .keys()
            .find(|k| !facts.decls.iter().any(|d| d.key == k.as_str() && usable(d)))
        {
            return Err(format!("{} has no dependency `{missing}`", facts.label));
        }
        let mut asks = Vec::new();
        for &k in &out_links[p] {
            let (_, to, decls) = links[k];
            for &d in decls {
                let decl = facts.decls[d as usize];
                if decl.kind == Kind::Dev && !facts.is_member {
                    continue;
                }
                let Some(from_features) =
                    state
                        .deps
                        .get(decl.key)
                        .or(if decl.optional { None } else { Some(&EMPTY) })
                else {
                    continue;
                };
                kept[k] = true;
                let mut feats = from_features.clone();
                feats.extend(decl.features.iter().cloned());
                asks.push((to, feats, decl.default_features));
            }
        }
        for (to, feats, default) in asks {
            let seen = sent.entry((p, to)).or_default();
            let fresh =
                !feats.is_subset(&seen.0) || (default && !seen.1) || act.states[to].is_none();
            if !fresh {
                continue;
            }
            seen.0.extend(feats.iter().cloned());
            seen.1 |= default;
            act.request_values(to, feats.iter().map(String::as_str), default)?;
        }
    }
    Ok(kept)
}

static EMPTY: BTreeSet<String> = BTreeSet::new();

/// The table with the implicit feature of each optional dependency that no `dep:` value
/// names (cargo adds `x = ["dep:x"]` for it).
fn effective_table(p: &Facts<'_>) -> BTreeMap<String, Vec<String>> {
    let mut table = p.table.clone();
    let named: BTreeSet<&str> = p
        .table
        .values()
        .flatten()
        .filter_map(|v| v.strip_prefix("dep:"))
        .collect();
    for d in p.decls.iter().filter(|d| d.optional) {
        if !named.contains(d.key) && !table.contains_key(d.key) {
            table.insert(d.key.to_owned(), vec![format!("dep:{}", d.key)]);
        }
    }
    table
}

struct Activation<'p, 'a> {
    packages: &'p [Option<Facts<'a>>],
    label: &'p dyn Fn(usize) -> String,
    tables: &'p [Option<BTreeMap<String, Vec<String>>>],
    states: Vec<Option<State>>,
    queue: VecDeque<usize>,
}

impl<'a> Activation<'_, 'a> {
    fn facts(&self, p: usize) -> Result<&Facts<'a>, String> {
        self.packages[p].as_ref().ok_or_else(|| {
            format!(
                "no manifest and no local index data give the features of {}",
                (self.label)(p)
            )
        })
    }

    /// A member, with the command line's features as resolver 2 applies them to it.
    fn request_member(
        &mut self,
        m: usize,
        req: &Requested,
        matched: &mut [bool],
    ) -> Result<(), String> {
        let facts = self.facts(m)?;
        let table = self.tables[m].as_ref().expect("facts have a table");
        let mut values: Vec<String> = Vec::new();
        if req.all_features {
            values.extend(table.keys().cloned());
        }
        for (f, matched) in req.features.iter().zip(matched.iter_mut()) {
            let value = match f.split_once('/') {
                None => table.contains_key(f.as_str()).then(|| f.clone()),
                Some((dep, feat)) => {
                    let dep = dep.trim_end_matches('?');
                    if facts.decls.iter().any(|d| d.key == dep) {
                        Some(f.clone())
                    } else {
                        (dep == facts.name && table.contains_key(feat)).then(|| feat.to_owned())
                    }
                }
            };
            if let Some(value) = value {
                *matched = true;
                values.push(value);
            }
        }
        let default = !req.no_default_features || req.all_features;
        self.request_values(m, values.iter().map(String::as_str), default)
    }

    /// A package's activation with `values` and its default features or not.
    fn request_values<'f>(
        &mut self,
        p: usize,
        values: impl Iterator<Item = &'f str>,
        default: bool,
    ) -> Result<(), String> {
        let facts = self.facts(p)?;
        let label = facts.label.clone();
        let table = self.tables[p].as_ref().expect("facts have a table");
        let optional: BTreeSet<&str> = facts
            .decls
            .iter()
            .filter(|d| d.optional)
            .map(|d| d.key)
            .collect();
        let new = self.states[p].is_none();
        let state = self.states[p].get_or_insert_with(State::default);
        let before = (state.features.len(), dep_count(state));
        let mut require = Require {
            table,
            optional: &optional,
            state,
        };
        for v in values {
            require
                .value(v)
                .map_err(|f| format!("{label} has no feature `{f}`"))?;
        }
        if default && table.contains_key("default") {
            require
                .feature("default")
                .map_err(|f| format!("{label} has no feature `{f}`"))?;
        }
        let state = &*require.state;
        if new || before != (state.features.len(), dep_count(state)) {
            self.queue.push_back(p);
        }
        Ok(())
    }
}

fn dep_count(s: &State) -> usize {
    s.deps.len() + s.deps.values().map(BTreeSet::len).sum::<usize>()
}

/// cargo's `Requirements`: features and dependency keys a package's requested values turn on.
struct Require<'s> {
    table: &'s BTreeMap<String, Vec<String>>,
    optional: &'s BTreeSet<&'s str>,
    state: &'s mut State,
}

impl Require<'_> {
    /// One value (`feat`, `dep:x`, `x/feat`, `x?/feat`); `Err` names a missing feature.
    fn value(&mut self, v: &str) -> Result<(), String> {
        if let Some(dep) = v.strip_prefix("dep:") {
            self.state.deps.entry(dep.to_owned()).or_default();
            return Ok(());
        }
        match v.split_once('/') {
            None => self.feature(v),
            Some((dep, feat)) => {
                let (dep, weak) = match dep.strip_suffix('?') {
                    Some(d) => (d, true),
                    None => (dep, false),
                };
                if !weak && self.optional.contains(dep) && self.table.contains_key(dep) {
                    self.feature(dep)?;
                }
                // Weak values turn the dependency on too in the dependency resolver.
                self.state
                    .deps
                    .entry(dep.to_owned())
                    .or_default()
                    .insert(feat.to_owned());
                Ok(())
            }
        }
    }

    fn feature(&mut self, f: &str) -> Result<(), String> {
        if !self.state.features.insert(f.to_owned()) {
            return Ok(());
        }
        let Some(values) = self.table.get(f) else {
            return Err(f.to_owned());
        };
        for v in values {
            self.value(v)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl<'a>(key: &'a str, optional: bool, features: &'a [String]) -> Decl<'a> {
        Decl {
            key,
            kind: Kind::Normal,
            optional,
            features,
            default_features: true,
        }
    }

    #[test]
    fn optional_dependencies_follow_default_and_requested_features() {
        let app_table = BTreeMap::new();
        let mut tonic_table = BTreeMap::new();
        tonic_table.insert("default".to_owned(), vec!["transport".to_owned()]);
        tonic_table.insert("transport".to_owned(), vec!["dep:hyper".to_owned()]);
        tonic_table.insert("gzip".to_owned(), vec!["flate2?/zlib".to_owned()]);
        let none: &[String] = &[];
        let empty = BTreeMap::new();
        let mut flate2_table = BTreeMap::new();
        flate2_table.insert("zlib".to_owned(), Vec::new());
        let packages = vec![
            Some(Facts {
                name: "app",
                label: "app 0.1.0".to_owned(),
                decls: vec![decl("tonic", false, none)],
                table: &app_table,
                is_member: true,
            }),
            Some(Facts {
                name: "tonic",
                label: "tonic 0.12.3".to_owned(),
                decls: vec![
                    decl("hyper", true, none),
                    decl("flate2", true, none),
                    decl("prost", true, none),
                ],
                table: &tonic_table,
                is_member: false,
            }),
            Some(Facts {
                name: "hyper",
                label: "hyper 1.6.0".to_owned(),
                decls: Vec::new(),
                table: &empty,
                is_member: false,
            }),
            Some(Facts {
                name: "flate2",
                label: "flate2 1.0.0".to_owned(),
                decls: Vec::new(),
                table: &flate2_table,
                is_member: false,
            }),
            Some(Facts {
                name: "prost",
                label: "prost 0.13.5".to_owned(),
                decls: Vec::new(),
                table: &empty,
                is_member: false,
            }),
        ];
        let links: Vec<Link<'_>> = vec![(0, 1, &[0]), (1, 2, &[0]), (1, 3, &[1]), (1, 4, &[2])];
        let label = |p: usize| format!("package {p}");
        let kept =
            |req: &Requested| activate(&packages, &links, &[0], req, &label).expect("decided");
        assert_eq!(
            kept(&Requested::default()),
            [true, true, false, false],
            "default features turn hyper on"
        );
        let mut decls = packages.clone();
        let off = ["gzip".to_owned()];
        decls[0].as_mut().expect("app").decls[0] = Decl {
            default_features: false,
            ..decl("tonic", false, &off)
        };
        assert_eq!(
            activate(&decls, &links, &[0], &Requested::default(), &label).expect("decided"),
            [true, false, true, false],
            "a weak value turns its dependency on in the dependency resolver"
        );
        let all = Requested::new(&[], true, false);
        assert_eq!(kept(&all), [true, true, false, false], "members only");
        let err = activate(
            &packages,
            &links,
            &[0],
            &Requested::new(&["nope".into()], false, false),
            &label,
        )
        .expect_err("cargo refuses a feature no member has");
        assert!(err.contains("`nope`"), "{err}");
        let mut ghost = packages.clone();
        let feature_table = BTreeMap::from([("x".to_owned(), vec!["dep:ghost".to_owned()])]);
        ghost[0].as_mut().expect("app").table = &feature_table;
        let err = activate(
            &ghost,
            &links,
            &[0],
            &Requested::new(&["x".into()], false, false),
            &label,
        )
        .expect_err("cargo refuses a value naming no dependency");
        assert!(err.contains("no dependency `ghost`"), "{err}");
        let mut lacking = packages.clone();
        lacking[1] = None;
        let err = activate(&lacking, &links, &[0], &Requested::default(), &label)
            .expect_err("no facts for tonic");
        assert!(err.contains("give the features of package 1"), "{err}");
    }
}
