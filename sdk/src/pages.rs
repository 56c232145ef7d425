//! Paging through an operation the contract marks as paged (`x-concord-pagination`): the generated
//! requests' `pages()` and `items()` return these, so a new vendor's paging is generated, not hand-written.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;

use crate::error::Result;

/// A page request in flight.
pub(crate) type PageFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T>> + Send + 'a>>;

/// The pages of a paged operation, one request each, from the request's own offset on. Ends after a page
/// with fewer items than the limit, an empty page, or when the total the answer declares is reached.
///
/// ```no_run
/// # async fn run(client: concord_sdk::Client) -> concord_sdk::Result<()> {
/// let mut pages = client
///     .paysafe()
///     .get_bulk_order("1231122232", "8d2b3a8c-3c54-4a0e-9a53-6bb3f7e0c001")
///     .limit(50)
///     .pages();
/// while let Some(page) = pages.next().await? {
///     println!("{} cards", page.cards.len());
/// }
/// # Ok(()) }
/// ```
#[must_use = "pages are only fetched by `next`"]
pub struct Pages<'a, R, T> {
    request: R,
    offset: u64,
    limit: Option<u64>,
    done: bool,
    fetch: fn(R, u64) -> PageFuture<'a, T>,
    count: fn(&T) -> usize,
    total: fn(&T) -> Option<u64>,
}

impl<R: std::fmt::Debug, T> std::fmt::Debug for Pages<'_, R, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pages")
            .field("request", &self.request)
            .field("offset", &self.offset)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<'a, R: Clone, T> Pages<'a, R, T> {
    /// Pages of `request` from `offset`; `fetch` sends it at an offset, `count` and `total` read a page.
    pub(crate) fn new(
        request: R,
        offset: u64,
        limit: Option<u64>,
        fetch: fn(R, u64) -> PageFuture<'a, T>,
        count: fn(&T) -> usize,
        total: fn(&T) -> Option<u64>,
    ) -> Self {
        Pages {
            request,
            offset,
            limit,
            done: false,
            fetch,
            count,
            total,
        }
    }

    /// The next page, or `None` after the last one. A failed page can be asked for again.
    pub async fn next(&mut self) -> Result<Option<T>> {
        if self.done {
            return Ok(None);
        }
        let page = (self.fetch)(self.request.clone(), self.offset).await?;
        let count = (self.count)(&page) as u64;
        self.offset += count;
        let short = self.limit.is_some_and(|limit| count < limit);
        let complete = (self.total)(&page).is_some_and(|total| self.offset >= total);
        if count == 0 {
            self.done = true;
            return Ok(None);
        }
        self.done = short || complete;
        Ok(Some(page))
    }
}

/// The items of every page of a paged operation, fetched a page at a time.
///
/// ```no_run
/// # async fn run(client: concord_sdk::Client) -> concord_sdk::Result<()> {
/// let mut cards = client
///     .paysafe()
///     .get_bulk_order("1231122232", "8d2b3a8c-3c54-4a0e-9a53-6bb3f7e0c001")
///     .items();
/// while let Some(card) = cards.next().await? {
///     println!("{} {:?}", card.card_id, card.status);
/// }
/// # Ok(()) }
/// ```
#[must_use = "items are only fetched by `next`"]
pub struct Items<'a, R, T, I> {
    pages: Pages<'a, R, T>,
    buffer: VecDeque<I>,
    items: fn(T) -> Vec<I>,
}

impl<R: std::fmt::Debug, T, I> std::fmt::Debug for Items<'_, R, T, I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.buffer.len())
            .finish_non_exhaustive()
    }
}

impl<'a, R: Clone, T, I> Items<'a, R, T, I> {
    pub(crate) fn new(pages: Pages<'a, R, T>, items: fn(T) -> Vec<I>) -> Self {
        Items {
            pages,
            buffer: VecDeque::new(),
            items,
        }
    }

    /// The next item, fetching the next page when this one is used up; `None` after the last.
    pub async fn next(&mut self) -> Result<Option<I>> {
        loop {
            if let Some(item) = self.buffer.pop_front() {
                return Ok(Some(item));
            }
            match self.pages.next().await? {
                Some(page) => self.buffer.extend((self.items)(page)),
                None => return Ok(None),
            }
        }
    }

    /// Every remaining item, in order.
    pub async fn collect(mut self) -> Result<Vec<I>> {
        let mut all = Vec::new();
        while let Some(item) = self.next().await? {
            all.push(item);
        }
        Ok(all)
    }
}
