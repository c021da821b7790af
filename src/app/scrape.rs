//! One render of `/metrics` at a time, shared by the scrapes that wait for it.
//!
//! A render reads the store — the announcements counted by state, the overdue deadlines, the
//! oldest pending items — work that grows with the tables, and `/metrics` answers without
//! authentication, as Prometheus scrapes it. Unshared, a flood of scrapes would run as many
//! renders side by side, each holding a connection of the pool and a core that the API and
//! the engine need. Here a scrape waits for the render that is running, then takes the next
//! one if it began after the scrape arrived, or makes it. So every answer is as fresh as its
//! request (its render began after the request came: a change made before a scrape is in its
//! answer), at most one render runs at a time, and one render answers every scrape that waited
//! for it, however many there are.

use std::future::Future;
use std::time::Instant;

use tokio::sync::Mutex;

/// The last render and when it began; its lock is the turn to render.
pub struct SharedRender<T> {
    last: Mutex<Option<(Instant, T)>>,
}

impl<T> Default for SharedRender<T> {
    fn default() -> Self {
        SharedRender {
            last: Mutex::new(None),
        }
    }
}

impl<T: Clone> SharedRender<T> {
    /// The last render if it began after this call, else a new one by `render` (kept for the
    /// calls waiting behind this one; a failed render is not kept).
    pub async fn get<E, F>(&self, render: impl FnOnce() -> F) -> Result<T, E>
    where
        F: Future<Output = Result<T, E>>,
    {
        let arrived = Instant::now();
        // Fair: the waiting calls get the turn in the order they came.
        let mut last = self.last.lock().await;
        if let Some((began, value)) = last.as_ref()
            && *began > arrived
        {
            return Ok(value.clone());
        }
        let began = Instant::now();
        let value = render().await?;
        *last = Some((began, value.clone()));
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use tokio::sync::Notify;

    use super::*;

    /// A render that counts itself and returns its number; the first waits for `gate`.
    fn counted(
        renders: &Arc<AtomicUsize>,
        gate: &Arc<Notify>,
    ) -> impl Future<Output = Result<usize, ()>> + use<> {
        let (renders, gate) = (Arc::clone(renders), Arc::clone(gate));
        async move {
            let n = renders.fetch_add(1, Ordering::SeqCst) + 1;
            if n == 1 {
                gate.notified().await;
            }
            Ok(n)
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn the_scrapes_waiting_for_a_render_share_the_next_one() {
        let shared = Arc::new(SharedRender::<usize>::default());
        let renders = Arc::new(AtomicUsize::new(0));
        let gate = Arc::new(Notify::new());
        let first = {
            let (shared, renders, gate) = (shared.clone(), renders.clone(), gate.clone());
            tokio::spawn(async move { shared.get(|| counted(&renders, &gate)).await })
        };
        while renders.load(Ordering::SeqCst) == 0 {
            tokio::task::yield_now().await;
        }
        // Twenty scrapes arrive while the first render runs: each is polled once and waits.
        let arrived = Arc::new(AtomicUsize::new(0));
        let waiting: Vec<_> = (0..20)
            .map(|_| {
                let (shared, renders, gate) = (shared.clone(), renders.clone(), gate.clone());
                let arrived = arrived.clone();
                tokio::spawn(async move {
                    arrived.fetch_add(1, Ordering::SeqCst);
                    shared.get(|| counted(&renders, &gate)).await
                })
            })
            .collect();
        while arrived.load(Ordering::SeqCst) < 20 {
            tokio::task::yield_now().await;
        }
        gate.notify_one();
        assert_eq!(first.await.unwrap(), Ok(1));
        for scrape in waiting {
            // Not the render that was running when they came: the one after it, made once.
            assert_eq!(scrape.await.unwrap(), Ok(2));
        }
        assert_eq!(renders.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_scrape_after_a_render_gets_a_new_one() {
        let shared = SharedRender::<usize>::default();
        let renders = Arc::new(AtomicUsize::new(1));
        let gate = Arc::new(Notify::new());
        assert_eq!(shared.get(|| counted(&renders, &gate)).await, Ok(2));
        assert_eq!(shared.get(|| counted(&renders, &gate)).await, Ok(3));
    }

    #[tokio::test]
    async fn a_failed_render_is_not_kept() {
        let shared = SharedRender::<usize>::default();
        assert_eq!(
            shared.get(|| async { Err::<usize, _>("down") }).await,
            Err("down")
        );
        assert_eq!(shared.get(|| async { Ok::<_, &str>(7) }).await, Ok(7));
        // …and one kept is not given to a later call.
        assert_eq!(shared.get(|| async { Ok::<_, &str>(8) }).await, Ok(8));
    }
}
