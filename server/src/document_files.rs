//! Where document files and their previews are kept: a folder of the data directory (the
//! default), or an S3-compatible object store (`--documents-url s3://bucket/prefix`, through
//! `object_store`, credentials from the standard `AWS_*` environment variables).
//!
//! Uploads always arrive in a local `.incoming` folder first (streamed, never whole in memory)
//! so they can be read and judged; only then are they put in place, and only after that is
//! their row committed. So a row never exists without its file; a file without a row (a crash
//! in between) is swept at the next start.
//!
//! The folder keeps files with a synced rename (`object_store`'s local backend does not sync,
//! so the folder does not go through it). In an object store a file is put in parts of
//! [`PART_BYTES`], read from the local copy, so memory stays bounded.

use crate::error::AppError;
use crate::store::Store;
use futures_util::{StreamExt, TryStreamExt};
use object_store::ObjectStore;
use object_store::path::Path as ObjectPath;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use uuid::Uuid;

/// A preview's name is its document's id with this suffix.
pub const PREVIEW_SUFFIX: &str = ".preview.jpg";
/// Size of the parts an upload is put to an object store in.
const PART_BYTES: usize = 5 * 1024 * 1024;
/// Size of the pieces a download is read in from the folder.
const CHUNK_BYTES: usize = 64 * 1024;

/// A document's bytes as a stream of pieces, and their length.
pub type Download = (u64, futures_util::stream::BoxStream<'static, std::io::Result<axum::body::Bytes>>);

/// Document files: the local `.incoming` folder, and where files are kept.
#[derive(Debug, Clone)]
pub struct DocumentFiles {
    dir: PathBuf,
    remote: Option<Remote>,
}

/// An object store and the prefix under which documents are kept.
#[derive(Debug, Clone)]
struct Remote {
    store: Arc<dyn ObjectStore>,
    prefix: ObjectPath,
}

impl DocumentFiles {
    /// Files kept under `<data-dir>/documents`, uploads arriving in its `.incoming`.
    pub fn new(data_dir: &Path) -> std::io::Result<Self> {
        let dir = data_dir.join("documents");
        crate::private_dir(&dir.join(".incoming"))?;
        Ok(Self { dir, remote: None })
    }

    /// Files kept in the object store at `url` (`s3://bucket/prefix`), with credentials,
    /// region and endpoint from the `AWS_*` environment variables; uploads still arrive in
    /// `<data-dir>/documents/.incoming`.
    ///
    /// # Errors
    /// A URL that is not `s3://bucket[/prefix]`, or settings the S3 client refuses.
    pub fn with_object_store(data_dir: &Path, url: &str) -> Result<Self, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("--documents-url: {e}"))?;
        if parsed.scheme() != "s3" || parsed.host_str().is_none_or(str::is_empty) {
            return Err("--documents-url must look like s3://bucket/prefix".to_owned());
        }
        let store = object_store::aws::AmazonS3Builder::from_env()
            .with_url(url)
            .build()
            .map_err(|e| format!("--documents-url: {e}"))?;
        let prefix = ObjectPath::parse(parsed.path().trim_matches('/')).map_err(|e| format!("--documents-url: {e}"))?;
        let mut files = Self::new(data_dir).map_err(|e| format!("cannot create the uploads folder: {e}"))?;
        files.remote = Some(Remote { store: Arc::new(store), prefix });
        Ok(files)
    }

    /// Where uploads arrive.
    pub(crate) fn incoming(&self) -> PathBuf {
        self.dir.join(".incoming")
    }

    /// The local file of a document, when files are kept in the folder.
    pub fn local_path(&self, id: Uuid) -> Option<PathBuf> {
        self.remote.is_none().then(|| self.dir.join(id.to_string()))
    }

    fn name(id: Uuid, preview: bool) -> String {
        if preview { format!("{id}{PREVIEW_SUFFIX}") } else { id.to_string() }
    }

    fn object(remote: &Remote, name: &str) -> ObjectPath {
        remote.prefix.child(name)
    }

    /// Puts an upload's file (synced, in `.incoming`) and its preview in place, durably.
    /// `placed` receives each local path to remove should the row not be committed.
    pub(crate) async fn place(
        &self,
        id: Uuid,
        received: &Path,
        preview: Option<&[u8]>,
        placed: &mut Vec<PathBuf>,
    ) -> std::io::Result<()> {
        let Some(remote) = &self.remote else {
            if let Some(preview) = preview {
                let temp = self.incoming().join(Self::name(id, true));
                placed.push(temp.clone());
                write_synced(&temp, preview).await?;
                let final_preview = self.dir.join(Self::name(id, true));
                placed.push(final_preview.clone());
                tokio::fs::rename(&temp, &final_preview).await?;
            }
            let final_path = self.dir.join(Self::name(id, false));
            placed.push(final_path.clone());
            tokio::fs::rename(received, &final_path).await?;
            sync_dir(&self.dir).await;
            return Ok(());
        };
        if let Some(preview) = preview {
            let payload = object_store::PutPayload::from(preview.to_vec());
            remote
                .store
                .put(&Self::object(remote, &Self::name(id, true)), payload)
                .await
                .map_err(std::io::Error::other)?;
        }
        let upload = remote
            .store
            .put_multipart(&Self::object(remote, &Self::name(id, false)))
            .await
            .map_err(std::io::Error::other)?;
        let mut writer = object_store::WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
        let mut file = tokio::fs::File::open(received).await?;
        let mut buffer = vec![0; CHUNK_BYTES];
        loop {
            let n = file.read(&mut buffer).await?;
            if n == 0 {
                break;
            }
            writer.wait_for_capacity(2).await.map_err(std::io::Error::other)?;
            writer.write(&buffer[..n]);
        }
        writer.finish().await.map_err(std::io::Error::other)?;
        // The store holds it now; should the row not be committed, `discard` removes it there.
        tokio::fs::remove_file(received).await
    }

    /// Removes what [`Self::place`] put in an object store for a row that was not committed
    /// (the folder's files are removed through `placed`).
    pub(crate) async fn discard(&self, id: Uuid) {
        if let Some(remote) = &self.remote {
            for preview in [false, true] {
                let _ = remote.store.delete(&Self::object(remote, &Self::name(id, preview))).await;
            }
        }
    }

    /// A document's file (or its preview) as a stream of pieces, never whole in memory.
    ///
    /// # Errors
    /// When the file is missing or unreadable.
    pub async fn open(&self, id: Uuid, preview: bool) -> std::io::Result<Download> {
        let name = Self::name(id, preview);
        match &self.remote {
            None => {
                let file = tokio::fs::File::open(self.dir.join(&name)).await?;
                let length = file.metadata().await?.len();
                Ok((length, tokio_util::io::ReaderStream::with_capacity(file, CHUNK_BYTES).boxed()))
            }
            Some(remote) => {
                let found = remote.store.get(&Self::object(remote, &name)).await.map_err(std::io::Error::other)?;
                let length = found.meta.size;
                Ok((length, found.into_stream().map_err(std::io::Error::other).boxed()))
            }
        }
    }

    /// Whether a document could be stored now: writes, syncs and removes a small file where
    /// uploads arrive and, with an object store, puts and deletes a small object there.
    ///
    /// # Errors
    /// What failed.
    pub async fn probe(&self) -> std::io::Result<()> {
        let name = format!("probe-{}", Uuid::now_v7());
        let path = self.incoming().join(&name);
        let written = write_synced(&path, b"kycard readiness probe").await;
        let removed = tokio::fs::remove_file(&path).await;
        written.and(removed)?;
        if let Some(remote) = &self.remote {
            let object = Self::object(remote, &name);
            remote
                .store
                .put(&object, b"kycard readiness probe".to_vec().into())
                .await
                .map_err(std::io::Error::other)?;
            remote.store.delete(&object).await.map_err(std::io::Error::other)?;
        }
        Ok(())
    }

    /// Removes partial uploads, and kept files whose row was never written (a crash between
    /// putting the file and the commit), when they are at least `min_age` old: zero when this
    /// instance alone uses the store (at start, no upload can be running), longer than any
    /// upload when other instances share it (their uploads in flight look the same). Returns
    /// how many were removed.
    ///
    /// # Errors
    /// When the database or the object store cannot be read.
    pub async fn sweep_orphans(&self, store: &Store, min_age: std::time::Duration) -> Result<usize, AppError> {
        let known: HashSet<Uuid> = store.all_document_ids().await?.into_iter().collect();
        let orphan = |name: &str| {
            let id = name.strip_suffix(PREVIEW_SUFFIX).unwrap_or(name);
            !Uuid::parse_str(id).is_ok_and(|id| known.contains(&id))
        };
        let now = std::time::SystemTime::now();
        let old_enough = |modified: std::time::SystemTime| now.duration_since(modified).is_ok_and(|age| age >= min_age);
        let mut removed = 0;
        let local: &[PathBuf] =
            if self.remote.is_some() { &[self.incoming()] } else { &[self.incoming(), self.dir.clone()] };
        for dir in local {
            let Ok(entries) = std::fs::read_dir(dir) else { continue };
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let aged = entry.metadata().and_then(|m| m.modified()).is_ok_and(old_enough);
                let remove = entry.path().is_file() && aged && (*dir == self.incoming() || orphan(&name));
                if remove && std::fs::remove_file(entry.path()).is_ok() {
                    removed += 1;
                }
            }
        }
        if let Some(remote) = &self.remote {
            let mut listing = remote.store.list(Some(&remote.prefix));
            let mut doomed = Vec::new();
            while let Some(meta) = listing.next().await {
                let meta = meta.map_err(|error| {
                    tracing::error!(%error, "cannot list the document store");
                    AppError::Internal
                })?;
                if meta.location.filename().is_some_and(&orphan) && old_enough(meta.last_modified.into()) {
                    doomed.push(meta.location);
                }
            }
            for location in doomed {
                if remote.store.delete(&location).await.is_ok() {
                    removed += 1;
                }
            }
        }
        Ok(removed)
    }
}

/// A new file readable by this user alone. Created on the calling thread (it takes
/// microseconds): created on the blocking pool, it could appear after a dropped request's
/// guard had already cleaned up.
pub(crate) fn private_file(path: &Path) -> std::io::Result<tokio::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let file = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    Ok(tokio::fs::File::from_std(file))
}

async fn write_synced(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut file = private_file(path)?;
    file.write_all(bytes).await?;
    file.sync_all().await
}

/// Makes a rename durable: the directory entry is synced too.
async fn sync_dir(dir: &Path) {
    if let Ok(handle) = tokio::fs::File::open(dir).await {
        let _ = handle.sync_all().await;
    }
}
