//! How people in this project are matched to Leanplum users, in words.

use leptos::prelude::*;

/// A short explanation of identity matching.
#[component]
pub fn MatchingUsers() -> impl IntoView {
    view! {
        <section class="card matching" aria-labelledby="matching-heading">
            <h2 id="matching-heading">"How users are matched"</h2>
            <ul>
                <li>
                    "Only identified users are exported. Anonymous users, who \
                     have no profile properties, are skipped."
                </li>
                <li>
                    "When the two products use different user IDs, set the \
                     profile property "
                    <code>"$leanplum_user_id"</code>
                    " to the person's Leanplum user ID; it is used for \
                     matching."
                </li>
                <li>
                    "When both products use the same IDs, nothing is needed: \
                     the distinct ID is sent and Leanplum matches on it."
                </li>
                <li>
                    "Only identities are sent. Other profile properties stay \
                     here."
                </li>
                <li>
                    "Setting "
                    <code>"$leanplum_user_id"</code>
                    " also links that Leanplum ID to the person, so events \
                     Leanplum sends back are credited to the right person."
                </li>
            </ul>
        </section>
    }
}
