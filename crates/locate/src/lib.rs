//! Where the shipped models are, so that an installed or copied `retouch` works without
//! the source tree. The first of these that holds the generator
//! (`retouch/model.safetensors`, [`MARKER`]) is the models directory:
//!
//! 1. `$RETOUCH_MODELS` ([`ENV`]); when it is set, only it is tried;
//! 2. `models/` next to the binary;
//! 3. `../share/instantretouch/models/` from the binary's folder (what `scripts/install.sh`
//!    lays out: `PREFIX/bin/retouch`, `PREFIX/share/instantretouch/models`);
//! 4. `$XDG_DATA_HOME/instantretouch/models/` (default `~/.local/share/...`);
//! 5. the source tree's `models/` the binary was built from, while it exists.

use std::path::{Path, PathBuf};

/// The environment variable that names the models directory.
pub const ENV: &str = "RETOUCH_MODELS";
/// The file whose presence makes a folder the models directory.
pub const MARKER: &str = "retouch/model.safetensors";

/// No candidate holds the models.
#[derive(Debug, thiserror::Error)]
#[error("the shipped models were not found; looked in {} (set {ENV} to the folder that holds {MARKER}, or install with scripts/install.sh)", list(.looked))]
pub struct NotFound {
    pub looked: Vec<PathBuf>,
}

fn list(p: &[PathBuf]) -> String {
    p.iter()
        .map(|x| x.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the search order gives for this process: the environment variable's value, the
/// binary's path, the data home and the home directory.
#[derive(Clone, Debug, Default)]
pub struct Context {
    pub env: Option<PathBuf>,
    pub exe: Option<PathBuf>,
    pub data_home: Option<PathBuf>,
    pub home: Option<PathBuf>,
    pub source_tree: Option<PathBuf>,
}

impl Context {
    /// This process's context.
    pub fn current() -> Self {
        let var = |k: &str| {
            std::env::var_os(k)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        };
        Self {
            env: var(ENV),
            exe: std::env::current_exe().ok(),
            data_home: var("XDG_DATA_HOME"),
            home: var("HOME"),
            source_tree: Some(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models")),
        }
    }

    /// The folders tried, in order.
    pub fn candidates(&self) -> Vec<PathBuf> {
        if let Some(e) = &self.env {
            return vec![e.clone()];
        }
        let mut c = Vec::new();
        if let Some(dir) = self.exe.as_deref().and_then(Path::parent) {
            c.push(dir.join("models"));
            c.push(dir.join("../share/instantretouch/models"));
        }
        if let Some(d) = &self.data_home {
            c.push(d.join("instantretouch/models"));
        } else if let Some(h) = &self.home {
            c.push(h.join(".local/share/instantretouch/models"));
        }
        c.extend(self.source_tree.clone());
        c
    }

    /// The first candidate that holds [`MARKER`].
    pub fn models_dir(&self) -> Result<PathBuf, NotFound> {
        let looked = self.candidates();
        looked
            .iter()
            .find(|d| d.join(MARKER).is_file())
            .cloned()
            .ok_or(NotFound { looked })
    }
}

/// The models directory of this process ([`Context::current`]).
pub fn models_dir() -> Result<PathBuf, NotFound> {
    Context::current().models_dir()
}

/// `rel` inside the models directory; where none is found, inside the last candidate (the
/// source tree), so that a loader's error names a path and [`models_dir`] says where it looked.
pub fn model_path(rel: &str) -> PathBuf {
    let c = Context::current();
    match c.models_dir() {
        Ok(d) => d.join(rel),
        Err(e) => e.looked.last().cloned().unwrap_or_default().join(rel),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_marker(dir: &Path) {
        std::fs::create_dir_all(dir.join("retouch")).unwrap();
        std::fs::write(dir.join(MARKER), b"x").unwrap();
    }

    #[test]
    fn the_first_folder_with_the_models_wins_in_the_documented_order() {
        let t = tempfile::tempdir().unwrap();
        let prefix = t.path().join("prefix");
        let exe = prefix.join("bin/retouch");
        let data = t.path().join("data");
        let src = t.path().join("src/models");
        let c = Context {
            env: None,
            exe: Some(exe.clone()),
            data_home: Some(data.clone()),
            home: Some(t.path().join("home")),
            source_tree: Some(src.clone()),
        };
        // Nothing anywhere: an error that names every folder tried.
        let e = c.models_dir().unwrap_err();
        assert_eq!(e.looked.len(), 4);
        let msg = e.to_string();
        for p in &e.looked {
            assert!(msg.contains(&p.display().to_string()), "{msg}");
        }
        assert!(msg.contains(ENV));
        with_marker(&src);
        assert_eq!(c.models_dir().unwrap(), src);
        with_marker(&data.join("instantretouch/models"));
        assert_eq!(c.models_dir().unwrap(), data.join("instantretouch/models"));
        let share = prefix.join("bin/../share/instantretouch/models");
        with_marker(&share);
        assert_eq!(c.models_dir().unwrap(), share);
        with_marker(&prefix.join("bin/models"));
        assert_eq!(c.models_dir().unwrap(), prefix.join("bin/models"));
        // The variable, when set, is the only place tried.
        let env = Context {
            env: Some(t.path().join("elsewhere")),
            ..c.clone()
        };
        assert_eq!(
            env.models_dir().unwrap_err().looked,
            vec![t.path().join("elsewhere")]
        );
        with_marker(&t.path().join("elsewhere"));
        assert_eq!(env.models_dir().unwrap(), t.path().join("elsewhere"));
    }

    #[test]
    fn without_a_data_home_the_home_directory_is_used() {
        let c = Context {
            home: Some(PathBuf::from("/h")),
            ..Context::default()
        };
        assert_eq!(
            c.candidates(),
            vec![PathBuf::from("/h/.local/share/instantretouch/models")]
        );
    }
}
