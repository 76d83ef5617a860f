/* render_events.c — not yet written. */
typedef int c7nfs_placeholder_render_events;
