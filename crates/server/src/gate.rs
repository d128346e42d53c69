//! How many requests are let in: `workers` run at once, `queue` more wait, the rest are told
//! to come back (503 with Retry-After) before their body is read.

use crate::error::ApiError;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

pub struct Gate {
    workers: Arc<Semaphore>,
    inside: AtomicUsize,
    capacity: usize,
}

/// A request let in (reading its body, waiting or running); leaves on drop.
pub struct Ticket<'a> {
    gate: &'a Gate,
}

impl Gate {
    pub fn new(workers: usize, queue: usize) -> Self {
        let workers = workers.max(1);
        Self {
            workers: Arc::new(Semaphore::new(workers)),
            inside: AtomicUsize::new(0),
            capacity: workers + queue,
        }
    }

    /// Let a request in, or refuse it when `workers + queue` are already in.
    pub fn enter(&self) -> Result<Ticket<'_>, ApiError> {
        let n = self.inside.fetch_add(1, Ordering::SeqCst);
        if n >= self.capacity {
            self.inside.fetch_sub(1, Ordering::SeqCst);
            return Err(ApiError::busy(1));
        }
        Ok(Ticket { gate: self })
    }

    /// Requests in now.
    pub fn inside(&self) -> usize {
        self.inside.load(Ordering::SeqCst)
    }
}

impl Ticket<'_> {
    /// Wait for a worker.
    pub async fn work(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        self.gate
            .workers
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| ApiError::internal("the server is shutting down"))
    }
}

impl Drop for Ticket<'_> {
    fn drop(&mut self) {
        self.gate.inside.fetch_sub(1, Ordering::SeqCst);
    }
}
