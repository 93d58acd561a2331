//! Entry point: mounts the console into its host element.

fn main() {
    cohort_sync_console::mount();
}
