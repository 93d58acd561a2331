//! Decode + resolve + plan (dynamic) over member and snapshot line text
//! for 10k, 100k and 1M members, with ~1% churn against the snapshot.
//! Prints input size, time and a stage breakdown of one run per size,
//! and the peak heap of a second run made with heap counting on (so the
//! counting does not slow the timed runs); the same for the per-item
//! sink entry points, for comparison. Then criterion times the fast path
//! (dropping the result is not timed).

use criterion::{criterion_group, criterion_main, Criterion};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::time::{Duration, Instant};
use sync_model::identity::IdentityResolver;
use sync_model::members::{
    write_member_line, write_snapshot_line, MemberDecoder, SnapshotDecoder,
};
use sync_model::{
    plan_owned, ExportKind, LeanplumIdProperty, Member, PlannedSync, Profile,
    Snapshot, SnapshotBuilder, SnapshotEntry, SyncPlan,
};

/// System allocator that tracks live and peak heap bytes while
/// [`COUNTING`] is set, so that timed runs carry no bookkeeping.
struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let ptr = System.alloc(layout);
        if !ptr.is_null() {
            grow(layout.size());
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        shrink(layout.size());
    }

    unsafe fn realloc(
        &self,
        ptr: *mut u8,
        layout: Layout,
        new_size: usize,
    ) -> *mut u8 {
        let new = System.realloc(ptr, layout, new_size);
        if !new.is_null() {
            shrink(layout.size());
            grow(new_size);
        }
        new
    }
}

fn grow(bytes: usize) {
    if !COUNTING.load(Ordering::Relaxed) {
        return;
    }
    let bytes = bytes as isize;
    let live = LIVE.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(live, Ordering::Relaxed);
}

fn shrink(bytes: usize) {
    if COUNTING.load(Ordering::Relaxed) {
        LIVE.fetch_sub(bytes as isize, Ordering::Relaxed);
    }
}

/// Runs `work` with heap counting on and returns the peak heap it used,
/// its result included (dropped before counting stops).
fn peak_heap<T>(work: impl FnOnce() -> T) -> usize {
    LIVE.store(0, Ordering::Relaxed);
    PEAK.store(0, Ordering::Relaxed);
    COUNTING.store(true, Ordering::Relaxed);
    drop(work());
    COUNTING.store(false, Ordering::Relaxed);
    PEAK.load(Ordering::Relaxed).max(0) as usize
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const CHUNK: usize = 64 * 1024;

/// Member-line and snapshot-line text for `n` members.
fn inputs(n: usize) -> (Vec<u8>, Vec<u8>) {
    let mut members = String::with_capacity(n * 40);
    let mut snapshot = String::with_capacity(n * 40);
    let mut state = 0x2545_f491_4f6c_dd1du64;
    for i in 0..n {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let distinct_id = format!("{:016x}-{i}", state);
        let leanplum_id = format!("lp_{i:09}");
        let profile = match i % 100 {
            0..=4 => Profile::Anonymous,
            5..=24 => Profile::Identified(LeanplumIdProperty::Absent),
            25..=97 => Profile::Identified(LeanplumIdProperty::Text(
                leanplum_id.clone(),
            )),
            _ => Profile::Identified(LeanplumIdProperty::NotText(
                (i % 1000).to_string(),
            )),
        };
        let exported_as = match &profile {
            Profile::Anonymous => None,
            Profile::Identified(LeanplumIdProperty::Text(lp)) => Some(lp),
            Profile::Identified(_) => Some(&distinct_id),
        };
        // ~0.5% of current members are new since the snapshot.
        if let Some(id) = exported_as.filter(|_| i % 200 != 7) {
            let entry = SnapshotEntry {
                leanplum_id: id.clone(),
                distinct_id: distinct_id.clone(),
            };
            write_snapshot_line(&entry, &mut snapshot);
        }
        // ~0.5% of snapshot entries have left the cohort.
        if i % 200 == 3 {
            let gone = SnapshotEntry {
                leanplum_id: format!("lp_gone_{i}"),
                distinct_id: format!("gone-{i}"),
            };
            write_snapshot_line(&gone, &mut snapshot);
        }
        let member = Member {
            distinct_id,
            profile,
        };
        write_member_line(&member, &mut members);
    }
    (members.into_bytes(), snapshot.into_bytes())
}

/// Times of the pipeline's stages, in order.
#[derive(Default)]
struct Stages {
    members: Duration,
    snapshot: Duration,
    index: Duration,
    plan: Duration,
}

/// The measured pipeline: decode members straight into the resolver and
/// snapshot lines straight into a snapshot, then resolve and diff with
/// one sort of the current ids.
fn pipeline(members: &[u8], snapshot: &[u8], n: usize) -> PlannedSync {
    pipeline_staged(members, snapshot, n, &mut Stages::default())
}

/// [`pipeline`], recording how long each stage takes.
fn pipeline_staged(
    members: &[u8],
    snapshot: &[u8],
    n: usize,
    stages: &mut Stages,
) -> PlannedSync {
    let start = Instant::now();
    let mut resolver = IdentityResolver::with_capacity(n);
    let mut decoder = MemberDecoder::new();
    for chunk in members.chunks(CHUNK) {
        if let Err(error) = decoder.push_into(chunk, &mut resolver) {
            panic!("member text is malformed: {error}");
        }
    }
    if let Err(error) = decoder.finish_into(&mut resolver) {
        panic!("member text is malformed: {error}");
    }
    let decoded = Instant::now();
    stages.members = decoded - start;
    let mut builder = SnapshotBuilder::with_capacity(n, snapshot.len());
    let mut decoder = SnapshotDecoder::new();
    for chunk in snapshot.chunks(CHUNK) {
        if let Err(error) = decoder.push_into(chunk, &mut builder) {
            panic!("snapshot text is malformed: {error}");
        }
    }
    if let Err(error) = decoder.finish_into(&mut builder) {
        panic!("snapshot text is malformed: {error}");
    }
    let read = Instant::now();
    stages.snapshot = read - decoded;
    let previous = builder.finish();
    let indexed = Instant::now();
    stages.index = indexed - read;
    let planned = resolver.finish_plan(ExportKind::Dynamic, previous);
    stages.plan = indexed.elapsed();
    planned
}

/// The same work through the original per-item entry points (sinks of
/// `Member` and `SnapshotEntry`, `finish`, `plan_owned`).
fn pipeline_sinks(members: &[u8], snapshot: &[u8], n: usize) -> SyncPlan {
    let mut resolver = IdentityResolver::with_capacity(n);
    let mut decoder = MemberDecoder::new();
    for chunk in members.chunks(CHUNK) {
        if let Err(error) = decoder.push(chunk, |m| resolver.push(m)) {
            panic!("member text is malformed: {error}");
        }
    }
    if let Err(error) = decoder.finish(|m| resolver.push(m)) {
        panic!("member text is malformed: {error}");
    }
    let current = resolver.finish();
    let mut entries = Vec::with_capacity(n);
    let mut decoder = SnapshotDecoder::new();
    for chunk in snapshot.chunks(CHUNK) {
        if let Err(error) = decoder.push(chunk, |e| entries.push(e)) {
            panic!("snapshot text is malformed: {error}");
        }
    }
    if let Err(error) = decoder.finish(|e| entries.push(e)) {
        panic!("snapshot text is malformed: {error}");
    }
    let previous = Snapshot::from_entries(entries);
    plan_owned(ExportKind::Dynamic, current, previous)
}

fn megabytes(bytes: usize) -> f64 {
    bytes as f64 / 1_000_000.0
}

fn sync_pipeline(c: &mut Criterion) {
    for n in [10_000, 100_000, 1_000_000] {
        let (members, snapshot) = inputs(n);
        let input = members.len() + snapshot.len();
        let mut stages = Stages::default();
        let start = Instant::now();
        let result = pipeline_staged(&members, &snapshot, n, &mut stages);
        let elapsed = start.elapsed();
        let counts = result.plan.counts();
        drop(result);
        let peak = peak_heap(|| pipeline(&members, &snapshot, n));
        println!(
            "{n} members: input {:.1} MB, peak heap {:.1} MB, time {} ms \
             (add {}, remove {}, unchanged {})",
            megabytes(input),
            megabytes(peak),
            elapsed.as_millis(),
            counts.add,
            counts.remove,
            counts.unchanged,
        );
        println!(
            "  stages: members {} ms, snapshot {} ms, snapshot index {} ms, \
             resolve + plan {} ms",
            stages.members.as_millis(),
            stages.snapshot.as_millis(),
            stages.index.as_millis(),
            stages.plan.as_millis(),
        );
        let start = Instant::now();
        let result = pipeline_sinks(&members, &snapshot, n);
        let elapsed = start.elapsed();
        drop(result);
        let peak = peak_heap(|| pipeline_sinks(&members, &snapshot, n));
        println!(
            "  via sinks + plan_owned: peak heap {:.1} MB, time {} ms",
            megabytes(peak),
            elapsed.as_millis(),
        );
        let mut group = c.benchmark_group("decode_resolve_plan");
        group.sample_size(10);
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(if n >= 1_000_000 {
            8
        } else {
            3
        }));
        group.bench_function(format!("{n}"), |b| {
            b.iter_with_large_drop(|| {
                black_box(pipeline(&members, &snapshot, n))
            })
        });
        group.finish();
    }
}

criterion_group!(benches, sync_pipeline);
criterion_main!(benches);
