//! The guest's allocator: blocks of up to 2 KiB come from one free list per power-of-two size,
//! carved from 64 KiB chunks of the system allocator (wasi-libc's dlmalloc); larger blocks go
//! to dlmalloc. A check allocates and frees the same few small shapes for every resource
//! (addresses, paths, findings), and dlmalloc's bookkeeping (bins, coalescing) was 7% of a
//! 100 MB state's check in the sandbox (bench/NOTES.md); a free-list pop or push is a few
//! instructions. Freed small blocks stay on their list for the next block of that size, so
//! memory held is at most the peak of each size, and one guest instance lives for one call.
//! Natively it is only tested.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;

const CLASSES: usize = 9; // 8, 16, ..., 2048 bytes
const LARGEST: usize = 8 << (CLASSES - 1);
const CHUNK: usize = 64 * 1024;

struct Lists {
    free: [*mut u8; CLASSES],
    bump: *mut u8,
    end: *mut u8,
}

/// Small blocks over `A`, which serves chunks and large blocks.
pub struct Small<A> {
    lists: UnsafeCell<Lists>,
    system: A,
}

// SAFETY: the guest is single-threaded (wasm32-wasip2 has no threads), so the lists are never
// touched by two threads; natively, the tests use one instance per thread.
unsafe impl<A: Sync> Sync for Small<A> {}

/// The class of a small block: 1..=8 bytes -> 0, 9..=16 -> 1, ..., 1025..=2048 -> 8.
#[inline]
fn class(size: usize) -> usize {
    let s = size.max(8);
    (usize::BITS - (s - 1).leading_zeros()) as usize - 3
}

#[inline]
fn small(size: usize, align: usize) -> bool {
    size <= LARGEST && align <= 8
}

impl<A> Small<A> {
    pub const fn new(system: A) -> Self {
        Small {
            lists: UnsafeCell::new(Lists {
                free: [std::ptr::null_mut(); CLASSES],
                bump: std::ptr::null_mut(),
                end: std::ptr::null_mut(),
            }),
            system,
        }
    }
}

// SAFETY: every block handed out is `8 << class` bytes, 8-aligned (chunks are 8-aligned and
// carved in multiples of 8), used by one owner until `dealloc`, and larger or more aligned
// layouts are the system allocator's.
unsafe impl<A: GlobalAlloc> GlobalAlloc for Small<A> {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if !small(layout.size(), layout.align()) {
            // SAFETY: the caller's layout, passed on.
            return unsafe { self.system.alloc(layout) };
        }
        let c = class(layout.size());
        // SAFETY: single-threaded (see `Sync`), and no reference to the lists outlives a call.
        let lists = unsafe { &mut *self.lists.get() };
        let head = lists.free[c];
        if !head.is_null() {
            // SAFETY: a free block holds the next free block's address in its first bytes.
            lists.free[c] = unsafe { head.cast::<*mut u8>().read() };
            return head;
        }
        let size = 8 << c;
        if (lists.end as usize) - (lists.bump as usize) < size {
            // SAFETY: CHUNK is non-zero and 8 is a power of two.
            let chunk = unsafe {
                self.system
                    .alloc(Layout::from_size_align_unchecked(CHUNK, 8))
            };
            if chunk.is_null() {
                return chunk;
            }
            lists.bump = chunk;
            // SAFETY: the chunk is CHUNK bytes long.
            lists.end = unsafe { chunk.add(CHUNK) };
        }
        let p = lists.bump;
        // SAFETY: at least `size` bytes remain in the chunk.
        lists.bump = unsafe { p.add(size) };
        p
    }

    #[inline]
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        if !small(layout.size(), layout.align()) {
            // SAFETY: a large block came from the system allocator with this layout.
            return unsafe { self.system.dealloc(p, layout) };
        }
        let c = class(layout.size());
        // SAFETY: single-threaded; `p` is a block of this class (same layout as allocated),
        // at least 8 bytes and 8-aligned, no longer used by its owner.
        unsafe {
            let lists = &mut *self.lists.get();
            p.cast::<*mut u8>().write(lists.free[c]);
            lists.free[c] = p;
        }
    }

    #[inline]
    unsafe fn realloc(&self, p: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let align = layout.align();
        let (was, will) = (small(layout.size(), align), small(new_size, align));
        if was && will && class(layout.size()) == class(new_size) {
            return p; // the block is already big enough, and not too big
        }
        if !was && !will {
            // SAFETY: a large block of the system allocator, grown or shrunk by it.
            return unsafe { self.system.realloc(p, layout, new_size) };
        }
        // SAFETY: `new_size` is non-zero (the caller's contract) and `align` a valid alignment.
        let new = unsafe { Layout::from_size_align_unchecked(new_size, align) };
        // SAFETY: fresh block of `new_size`; copy what both hold, then free the old one.
        unsafe {
            let q = self.alloc(new);
            if !q.is_null() {
                std::ptr::copy_nonoverlapping(p, q, layout.size().min(new_size));
                self.dealloc(p, layout);
            }
            q
        }
    }
}

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static GLOBAL: Small<std::alloc::System> = Small::new(std::alloc::System);

#[cfg(test)]
mod tests {
    use super::*;
    use std::alloc::System;

    #[test]
    fn classes_cover_their_sizes() {
        for size in 1..=LARGEST {
            let c = class(size);
            assert!(8 << c >= size, "{size}");
            assert!(c == 0 || 8 << (c - 1) < size, "{size}");
        }
    }

    /// Blocks of every size, filled, grown, shrunk and freed in a scrambled order: no block
    /// overlaps another live one, contents survive `realloc`, and freed blocks are reused.
    #[test]
    fn blocks_keep_their_contents_and_never_overlap() {
        let a = Small::new(System);
        let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let check = |live: &[(*mut u8, Layout, u8)]| {
            for &(p, l, tag) in live {
                // SAFETY: `p` is live with `l.size()` bytes written with `tag`.
                let s = unsafe { std::slice::from_raw_parts(p, l.size()) };
                assert!(s.iter().all(|&b| b == tag), "a block was overwritten");
            }
        };
        for round in 0..20_000u32 {
            let r = next();
            if r % 3 == 0 && !live.is_empty() {
                let (p, l, _) = live.swap_remove((r as usize / 3) % live.len());
                // SAFETY: allocated by `a` with `l`.
                unsafe { a.dealloc(p, l) };
            } else if r % 3 == 1 && !live.is_empty() {
                let k = (r as usize / 3) % live.len();
                let (p, l, tag) = live[k];
                let new_size = 1 + (next() as usize % 4000);
                // SAFETY: allocated by `a` with `l`; new_size > 0.
                let q = unsafe { a.realloc(p, l, new_size) };
                assert!(!q.is_null());
                // SAFETY: `q` holds `min` bytes of the old contents, and `new_size` in all.
                unsafe {
                    let min = l.size().min(new_size);
                    assert!(std::slice::from_raw_parts(q, min).iter().all(|&b| b == tag));
                    std::ptr::write_bytes(q, tag, new_size);
                }
                live[k] = (
                    q,
                    Layout::from_size_align(new_size, l.align()).unwrap(),
                    tag,
                );
            } else {
                let size = 1 + (next() as usize % 3000);
                let align = [1, 2, 4, 8, 16][next() as usize % 5];
                let l = Layout::from_size_align(size, align).unwrap();
                // SAFETY: non-zero size.
                let p = unsafe { a.alloc(l) };
                assert!(!p.is_null() && (p as usize).is_multiple_of(align));
                let tag = (round % 251) as u8;
                // SAFETY: `p` has `size` bytes.
                unsafe { std::ptr::write_bytes(p, tag, size) };
                live.push((p, l, tag));
            }
            if round % 1000 == 0 {
                check(&live);
            }
        }
        check(&live);
        // A freed small block is the next one handed out for its class.
        let l = Layout::from_size_align(24, 8).unwrap();
        // SAFETY: non-zero sizes; each block freed once.
        unsafe {
            let p = a.alloc(l);
            a.dealloc(p, l);
            assert_eq!(a.alloc(l), p);
        }
    }
}
