/* render_resources.c — not yet written. */
typedef int c7nfs_placeholder_render_resources;
