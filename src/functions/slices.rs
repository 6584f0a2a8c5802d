//! Output of the JSON functions as string views. Most of what they return is a part of their
//! input's text (an array's element, a member's value, a string's contents), so when the input
//! is itself a string-view array the output points into the input's buffers instead of copying
//! the bytes: an IPAddresses column expands, and its members are read, without moving its text.

use datafusion::arrow::array::{ByteView, MAX_INLINE_VIEW_LEN, StringViewArray, StringViewBuilder};
use datafusion::common::Result;

use super::Strings;

/// Builds a string-view array of parts of an input column's texts.
pub(super) struct SliceBuilder<'a> {
    /// The input, when its texts live in buffers the output can share.
    shared: Option<&'a StringViewArray>,
    /// The block number the input's first buffer has in `out`.
    first_block: u32,
    out: StringViewBuilder,
}

impl<'a> SliceBuilder<'a> {
    /// A builder for `capacity` values taken from `input`.
    pub(super) fn new(input: &Strings<'a>, capacity: usize) -> Self {
        let mut out = StringViewBuilder::with_capacity(capacity);
        let (shared, first_block) = match input {
            Strings::View(array) if !array.data_buffers().is_empty() => {
                // Blocks are numbered in the order they are added, so the first is the least.
                let blocks = array.data_buffers().iter().map(|b| out.append_block(b.clone()));
                (Some(*array), blocks.min().unwrap_or_default())
            }
            _ => (None, 0),
        };
        SliceBuilder { shared, first_block, out }
    }

    /// Appends `part`, which is a slice of `whole`, the text of input row `row`: as a view into
    /// the input's buffer when `whole` lives in one, as a copy otherwise.
    pub(super) fn append_part(&mut self, row: usize, whole: &str, part: &str) -> Result<()> {
        if let Some((block, offset)) = self.locate(row, whole, part) {
            self.out.try_append_view(block, offset, part.len() as u32)?;
        } else {
            self.out.append_value(part);
        }
        Ok(())
    }

    /// Appends text that is not part of the input (a quoted or rebuilt value).
    pub(super) fn append_value(&mut self, text: &str) {
        self.out.append_value(text);
    }

    pub(super) fn append_null(&mut self) {
        self.out.append_null();
    }

    pub(super) fn finish(mut self) -> StringViewArray {
        self.out.finish()
    }

    /// The block and offset of `part` in the output, when it can be shared: a short part is
    /// kept inline in its view, and a row whose text is inline has no buffer to point into.
    fn locate(&self, row: usize, whole: &str, part: &str) -> Option<(u32, u32)> {
        let array = self.shared?;
        if part.len() <= MAX_INLINE_VIEW_LEN as usize {
            return None;
        }
        let view = ByteView::from(*array.views().get(row)?);
        if view.length <= MAX_INLINE_VIEW_LEN {
            return None;
        }
        let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
        if start + part.len() > whole.len() {
            return None;
        }
        let offset = view.offset.checked_add(u32::try_from(start).ok()?)?;
        Some((self.first_block + view.buffer_index, offset))
    }
}
