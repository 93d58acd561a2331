//! The content of the export dialog: the kind of export, the identity
//! and change previews computed in the browser from the streamed members
//! and snapshot, the CSV of the plan, and the Start Sync request.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use sync_model::api::{
    Cohort, ExportKind, Session, StartSync, Sync, IDEMPOTENCY_HEADER,
};
use sync_model::members::DecodeError;
use sync_model::Flag;

use super::plan_table::PlanTable;
use super::preview::{identity_bar, PlanList, Preview, PreviewBuilder};
use crate::app::use_app;
use crate::client::{yield_to_browser, ApiClient, ClientError, LineStream};
use crate::components::unique_id;
use crate::format::count;

/// Flagged members listed per group; the CSV has the plan in full.
const FLAGGED_SHOWN: usize = 100;

/// Milliseconds of decoding before the browser gets a turn.
const WORK_SLICE_MS: f64 = 12.0;

/// Where loading the preview stands.
#[derive(Debug, Clone, PartialEq)]
enum Load {
    /// Reading a stream: which, lines read and lines announced.
    Reading {
        what: &'static str,
        read: u64,
        total: u64,
    },
    /// The preview is ready.
    Ready,
    /// Loading failed, with the reason in words.
    Failed(String),
    /// The person cancelled.
    Cancelled,
}

/// Why building a preview stopped early.
enum Stop {
    Client(ClientError),
    Decode(DecodeError),
    Cancelled,
}

impl Stop {
    fn into_load(self) -> Load {
        match self {
            Stop::Client(e) => Load::Failed(e.message()),
            Stop::Decode(e) => Load::Failed(format!(
                "The proxy sent data this page cannot read ({e})."
            )),
            Stop::Cancelled => Load::Cancelled,
        }
    }
}

/// A key that makes retries of one Start Sync request start one sync.
fn idempotency_key() -> String {
    (0..4)
        .map(|_| {
            let n = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
            format!("{n:08x}")
        })
        .collect()
}

/// Reads one stream to its end, passing each chunk to `push`.
async fn read_stream(
    mut stream: LineStream,
    cancelled: &AtomicBool,
    work_ms: &mut f64,
    mut push: impl FnMut(&[u8]) -> Result<u64, DecodeError>,
    mut progress: impl FnMut(u64),
) -> Result<(), Stop> {
    let mut slice_start = js_sys::Date::now();
    loop {
        if cancelled.load(Ordering::Relaxed) {
            return Err(Stop::Cancelled);
        }
        let Some(chunk) = stream.next_chunk().await.map_err(Stop::Client)?
        else {
            return Ok(());
        };
        let before = js_sys::Date::now();
        let read = push(&chunk).map_err(Stop::Decode)?;
        *work_ms += js_sys::Date::now() - before;
        if js_sys::Date::now() - slice_start > WORK_SLICE_MS {
            progress(read);
            yield_to_browser().await;
            slice_start = js_sys::Date::now();
        }
    }
}

/// Streams the members and the snapshot into a preview.
async fn load_preview(
    client: ApiClient,
    cohort: &Cohort,
    kind: ExportKind,
    cancelled: Arc<AtomicBool>,
    set_load: impl Fn(Load) + Copy,
) -> Result<Preview, Stop> {
    let controller = web_sys::AbortController::new()
        .map_err(|_| Stop::Client(ClientError::Unreachable))?;
    let signal = controller.signal();
    let id = js_sys::encode_uri_component(&cohort.id);
    let began = js_sys::Date::now();
    let mut work_ms = 0.0;
    let read = async {
        let members = client
            .get_stream(&format!("/cohorts/{id}/members"), &signal)
            .await
            .map_err(Stop::Client)?;
        let total = members.lines.unwrap_or(cohort.members);
        let reading = move |what, read| Load::Reading { what, read, total };
        set_load(reading("members", 0));
        let mut builder = PreviewBuilder::with_capacity(total as usize);
        read_stream(
            members,
            &cancelled,
            &mut work_ms,
            |chunk| {
                builder.push_members(chunk)?;
                Ok(builder.members_read())
            },
            |read| set_load(reading("members", read)),
        )
        .await?;
        let snapshot = client
            .get_stream(&format!("/cohorts/{id}/snapshot"), &signal)
            .await
            .map_err(Stop::Client)?;
        let total = snapshot.lines.unwrap_or(0);
        set_load(Load::Reading {
            what: "the last sync's snapshot",
            read: 0,
            total,
        });
        read_stream(
            snapshot,
            &cancelled,
            &mut work_ms,
            |chunk| {
                builder.push_snapshot(chunk)?;
                Ok(builder.snapshot_read())
            },
            |read| {
                set_load(Load::Reading {
                    what: "the last sync's snapshot",
                    read,
                    total,
                })
            },
        )
        .await?;
        let before = js_sys::Date::now();
        let preview = builder.finish(kind).map_err(Stop::Decode)?;
        work_ms += js_sys::Date::now() - before;
        Ok(preview)
    };
    let result = read.await;
    if result.is_ok() {
        record_timing(work_ms, js_sys::Date::now() - began);
    }
    if result.is_err() {
        // Stops the download the proxy may still be sending.
        controller.abort();
    }
    result
}

/// Leaves a `cohort-preview` user-timing mark whose detail holds the
/// milliseconds spent decoding and planning and the total with the
/// network, for performance tooling.
fn record_timing(work_ms: f64, total_ms: f64) {
    use js_sys::{Function, Object, Reflect};
    use wasm_bindgen::JsCast;
    let Some(window) = web_sys::window() else {
        return;
    };
    let Ok(performance) = Reflect::get(&window, &"performance".into()) else {
        return;
    };
    let Ok(mark) = Reflect::get(&performance, &"mark".into())
        .and_then(|m| m.dyn_into::<Function>())
    else {
        return;
    };
    let detail = Object::new();
    let _ = Reflect::set(&detail, &"work_ms".into(), &work_ms.into());
    let _ = Reflect::set(&detail, &"total_ms".into(), &total_ms.into());
    let options = Object::new();
    let _ = Reflect::set(&options, &"detail".into(), &detail);
    let _ = mark.call2(&performance, &"cohort-preview".into(), &options);
}

/// Table rows of a label and a count each.
fn count_rows(
    rows: impl IntoIterator<Item = (&'static str, u64)>,
) -> impl IntoView {
    rows.into_iter()
        .map(|(label, n)| {
            view! {
                <tr>
                    <th scope="row">{label}</th>
                    <td class="num">{count(n)}</td>
                </tr>
            }
        })
        .collect_view()
}

/// Saves `text` as a file named `name` through a temporary link.
fn download(name: &str, text: &str) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob =
        web_sys::Blob::new_with_str_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    let link = document()
        .create_element("a")?
        .dyn_into::<web_sys::HtmlAnchorElement>()?;
    link.set_href(&url);
    link.set_download(name);
    link.click();
    set_timeout(
        move || {
            let _ = web_sys::Url::revoke_object_url(&url);
        },
        std::time::Duration::from_secs(30),
    );
    Ok(())
}

/// What the export dialog shows for one cohort.
#[component]
pub fn ExportDialog(
    /// The cohort to export.
    cohort: Cohort,
    /// Called when the person closes the dialog.
    on_close: Callback<()>,
    /// Called when the person closes the dialog after starting a sync.
    on_started: Callback<(Cohort, Sync)>,
) -> impl IntoView {
    let app = use_app();
    let kind = RwSignal::new(ExportKind::Dynamic);
    let load = RwSignal::new(Load::Reading {
        what: "members",
        read: 0,
        total: cohort.members,
    });
    let preview = RwSignal::new(None::<Preview>);
    let cancelled = Arc::new(AtomicBool::new(false));
    let key = idempotency_key();

    let start_loading = {
        let (client, cohort, cancelled) =
            (app.client.clone(), cohort.clone(), cancelled.clone());
        move || {
            let (client, cohort) = (client.clone(), cohort.clone());
            cancelled.store(false, Ordering::Relaxed);
            let cancelled = cancelled.clone();
            preview.set(None);
            spawn_local(async move {
                let set_load = move |l: Load| {
                    let _ = load.try_set(l);
                };
                let kind =
                    kind.try_get_untracked().unwrap_or(ExportKind::Dynamic);
                match load_preview(client, &cohort, kind, cancelled, set_load)
                    .await
                {
                    Ok(built) => {
                        let _ = preview.try_set(Some(built));
                        set_load(Load::Ready);
                    }
                    Err(stop) => set_load(stop.into_load()),
                }
            });
        }
    };
    start_loading();
    {
        let cancelled = cancelled.clone();
        on_cleanup(move || cancelled.store(true, Ordering::Relaxed));
    }
    Effect::new(move |_| {
        let k = kind.get();
        preview.update(|p| {
            if let Some(p) = p {
                p.set_kind(k);
            }
        });
    });

    let session = app.session;
    let client = app.client.clone();
    let cohort_id = cohort.id.clone();
    let start = Action::new_local(move |kind: &ExportKind| {
        let (client, key, kind) = (client.clone(), key.clone(), *kind);
        let body = StartSync {
            cohort_id: cohort_id.clone(),
            kind,
        };
        let csrf = match session.get_untracked() {
            Some(Ok(Session { csrf_token, .. })) => csrf_token,
            _ => String::new(),
        };
        async move {
            client
                .send::<_, Sync>(
                    "POST",
                    "/syncs",
                    &csrf,
                    Some(&body),
                    &[(IDEMPOTENCY_HEADER, &key)],
                )
                .await
        }
    });
    let started = move || start.value().get().and_then(Result::ok);
    let start_error = move || start.value().get().and_then(Result::err);

    let kind_name = unique_id("export-kind");
    let hint_one = unique_id("hint-one-time");
    let hint_dynamic = unique_id("hint-dynamic");
    let cancel_loading = {
        let cancelled = cancelled.clone();
        move |_| cancelled.store(true, Ordering::Relaxed)
    };
    let retry = move |_| start_loading();
    let csv_name = format!("{}-plan.csv", file_safe(&cohort.id));
    let on_download = move |_| {
        let name = csv_name.clone();
        preview.with_untracked(|p| {
            if let Some(p) = p {
                let _ = download(&name, &p.csv());
            }
        });
    };
    let finished = cohort.clone();
    let on_done = move |_| match started() {
        Some(sync) => on_started.run((finished.clone(), sync)),
        None => on_close.run(()),
    };
    let kind_radio = move |value: ExportKind,
                           label: &'static str,
                           hint: String,
                           text: &'static str| {
        view! {
            <label class="kind-option">
                <input
                    type="radio"
                    name=kind_name.clone()
                    aria-describedby=hint.clone()
                    prop:checked=move || kind.get() == value
                    prop:disabled=move || started().is_some()
                    on:change=move |_| kind.set(value)
                />
                <span class="kind-label">{label}</span>
                <span class="hint" id=hint>{text}</span>
            </label>
        }
    };

    view! {
        <div class="export-dialog">
            <p class="export-cohort">
                "Cohort: " <strong>{cohort.name.clone()}</strong>
            </p>
            <p>
                "It appears on Leanplum as the user attribute "
                <code class="attribute">{cohort.leanplum_attribute.clone()}</code>
                "."
            </p>
            <fieldset class="export-kind">
                <legend>"Export type"</legend>
                {kind_radio(
                    ExportKind::OneTime,
                    "One-time export",
                    hint_one,
                    "Sets the attribute once on today's members; it replaces \
                     the previous export.",
                )}
                {kind_radio(
                    ExportKind::Dynamic,
                    "Dynamic sync",
                    hint_dynamic,
                    "Updates Leanplum every 15 minutes with who joined and \
                     who left the cohort.",
                )}
            </fieldset>
            {move || match load.get() {
                Load::Reading { what, read, total } => view! {
                    <div class="preview-loading">
                        <p id="preview-progress-label">
                            {format!("Reading {what}: {} of {}", count(read), count(total))}
                        </p>
                        <div
                            class="progress"
                            role="progressbar"
                            aria-labelledby="preview-progress-label"
                            aria-valuemin="0"
                            aria-valuemax=total
                            aria-valuenow=read
                        >
                            <div
                                class="progress-fill"
                                style=format!("width: {:.1}%", percent(read, total))
                            ></div>
                        </div>
                        <button type="button" on:click=cancel_loading.clone()>
                            "Cancel loading"
                        </button>
                    </div>
                }
                .into_any(),
                Load::Failed(message) => view! {
                    <div class="load-error" role="alert">
                        <p>
                            <strong>"Could not preview this export."</strong>
                            " "
                            {message}
                        </p>
                        <button type="button" on:click=retry.clone()>"Retry"</button>
                    </div>
                }
                .into_any(),
                Load::Cancelled => view! {
                    <div class="preview-cancelled" role="status">
                        <p>"Loading cancelled."</p>
                        <button type="button" on:click=retry.clone()>
                            "Load preview again"
                        </button>
                    </div>
                }
                .into_any(),
                Load::Ready => view! {
                    <IdentityPreview preview />
                    <ChangePreview preview kind />
                    <button type="button" on:click=on_download.clone()>
                        "Download plan as CSV"
                    </button>
                }
                .into_any(),
            }}
            {move || start_error().map(|e| view! {
                <p class="start-error" role="alert">
                    <strong>"The sync did not start."</strong> " " {e.message()}
                </p>
            })}
            {move || started().map(|sync| view! {
                <p class="started" role="status">
                    {format!(
                        "{} started: Leanplum attribute \"{}\".",
                        kind_title(sync.kind),
                        sync.attribute
                    )}
                </p>
            })}
            <div class="dialog-actions">
                <Show when=move || started().is_none()>
                    <button
                        type="button"
                        class="primary"
                        disabled=move || {
                            start.pending().get() || load.get() != Load::Ready
                        }
                        on:click=move |_| {
                            if !start.pending().get_untracked() {
                                start.dispatch(kind.get_untracked());
                            }
                        }
                    >
                        {move || if start.pending().get() { "Starting…" } else { "Start Sync" }}
                    </button>
                </Show>
                <button type="button" on:click=on_done.clone()>
                    {move || if started().is_some() { "Close" } else { "Cancel" }}
                </button>
            </div>
        </div>
    }
}

/// "One-time export" or "Dynamic sync".
pub fn kind_title(kind: ExportKind) -> &'static str {
    match kind {
        ExportKind::OneTime => "One-time export",
        ExportKind::Dynamic => "Dynamic sync",
    }
}

/// `read` as a share of `total`, in percent.
fn percent(read: u64, total: u64) -> f64 {
    if total == 0 {
        return 0.0;
    }
    (read as f64 * 100.0 / total as f64).min(100.0)
}

/// `id` with only letters, digits, `-` and `_`, for a file name.
fn file_safe(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        "cohort".to_owned()
    } else {
        safe
    }
}

#[component]
fn IdentityPreview(preview: RwSignal<Option<Preview>>) -> impl IntoView {
    let summary = move || preview.with(|p| p.as_ref().map(|p| p.summary));
    let rows = move || {
        let s = summary()?;
        let rows = [
            ("Members", s.members),
            ("Identified", s.identified),
            ("Anonymous (not exported)", s.anonymous),
            ("Matched by $leanplum_user_id", s.by_leanplum_user_id),
            ("Matched by distinct ID", s.by_distinct_id),
            ("Fallbacks to distinct ID", s.fallbacks),
            ("Invalid (not exported)", s.invalid),
            ("Conflicts (not exported)", s.conflicts),
            ("Exported", s.exported),
        ];
        Some(count_rows(rows))
    };
    let bar = move || {
        let s = summary()?;
        let widths = identity_bar(&s);
        let names = [
            "by-lp-id",
            "by-distinct-id",
            "fallback",
            "invalid",
            "anonymous",
        ];
        let label = format!(
            "Of {} members: {} by $leanplum_user_id, {} by distinct ID, {} \
             fallbacks, {} invalid, {} anonymous.",
            s.members,
            s.by_leanplum_user_id,
            s.by_distinct_id,
            s.fallbacks,
            s.invalid,
            s.anonymous
        );
        let segments = widths
            .into_iter()
            .zip(names)
            .map(|(w, name)| view! {
                <span class=format!("segment {name}") style=format!("width: {w:.3}%")></span>
            })
            .collect_view();
        Some(view! {
            <div class="identity-bar" role="img" aria-label=label>{segments}</div>
        })
    };
    let groups = move || {
        preview.with(|p| {
            let p = p.as_ref()?;
            let groups = [
                (Flag::Fallback, "Fallbacks"),
                (Flag::Invalid, "Invalid"),
                (Flag::Conflict, "Conflicts"),
            ];
            Some(
                groups
                    .into_iter()
                    .filter_map(|(flag, title)| {
                        let members: Vec<_> =
                            p.flagged.iter().filter(|f| f.flag == flag).collect();
                        if members.is_empty() {
                            return None;
                        }
                        let more = members.len().saturating_sub(FLAGGED_SHOWN);
                        let heading = format!("{title} ({})", count(members.len() as u64));
                        let items = members
                            .iter()
                            .take(FLAGGED_SHOWN)
                            .map(|f| view! {
                                <li>
                                    <code>{f.distinct_id.clone()}</code>
                                    " — "
                                    <span class="reason">{f.reason.clone()}</span>
                                </li>
                            })
                            .collect_view();
                        Some(view! {
                            <section class="flagged" aria-label=heading.clone()>
                                <h4>{heading.clone()}</h4>
                                <ul>{items}</ul>
                                {(more > 0).then(|| view! {
                                    <p class="hint">{format!("and {} more.", count(more as u64))}</p>
                                })}
                            </section>
                        })
                    })
                    .collect_view(),
            )
        })
    };

    view! {
        <section class="identity-preview" aria-labelledby="identity-preview-title">
            <h3 id="identity-preview-title">"Identity preview"</h3>
            <table class="counts">
                <caption class="visually-hidden">"Identity preview"</caption>
                <tbody>{rows}</tbody>
            </table>
            {bar}
            {groups}
        </section>
    }
}

#[component]
fn ChangePreview(
    preview: RwSignal<Option<Preview>>,
    kind: RwSignal<ExportKind>,
) -> impl IntoView {
    let list = RwSignal::new(PlanList::Add);
    // Each kind shows its own lists; keep the choice valid.
    Effect::new(move |_| {
        let lists = PlanList::for_kind(kind.get());
        if !lists.contains(&list.get_untracked()) {
            list.set(lists[0]);
        }
    });
    let query = RwSignal::new(String::new());
    let hits = Memo::new(move |_| {
        let q = query.get();
        if q.trim().is_empty() {
            return None;
        }
        let l = list.get();
        preview.with(|p| p.as_ref().map(|p| Arc::new(p.search(l, &q))))
    });
    let counts = move || {
        let k = kind.get();
        preview.with(|p| {
            let p = p.as_ref()?;
            let c = p.counts();
            let mut rows: Vec<(&'static str, u64)> = PlanList::for_kind(k)
                .iter()
                .map(|l| (l.label(k), p.len(*l) as u64))
                .collect();
            if k == ExportKind::OneTime {
                rows.push(("Already set by the last sync", c.unchanged));
            }
            rows.push(("Updates sent to Leanplum", c.to_send));
            Some(count_rows(rows))
        })
    };
    let search_id = unique_id("plan-search");
    let label = Signal::derive(move || list.get().label(kind.get()).to_owned());
    let list_buttons = move || {
        let k = kind.get();
        PlanList::for_kind(k)
            .iter()
            .map(|&l| {
                view! {
                    <button
                        type="button"
                        aria-pressed=move || (list.get() == l).to_string()
                        on:click=move |_| list.set(l)
                    >
                        {l.label(k)}
                    </button>
                }
            })
            .collect_view()
    };
    let matches = move || {
        hits.get()
            .map(|h| format!("{} matching", count(h.len() as u64)))
    };

    view! {
        <section class="change-preview" aria-labelledby="change-preview-title">
            <h3 id="change-preview-title">"Change preview"</h3>
            <table class="counts">
                <caption class="visually-hidden">"Change preview"</caption>
                <tbody>{counts}</tbody>
            </table>
            <div class="list-choice" role="group" aria-label="List shown">
                {list_buttons}
            </div>
            <div class="plan-search">
                <label for=search_id.clone()>"Search by distinct ID or Leanplum ID"</label>
                <input
                    id=search_id
                    type="search"
                    prop:value=move || query.get()
                    on:input=move |ev| query.set(event_target_value(&ev))
                />
                <span class="hint" role="status">{matches}</span>
            </div>
            <PlanTable preview list hits label />
        </section>
    }
}
