/* api_decode.c — not yet written. */
typedef int c7nfs_placeholder_api_decode;
