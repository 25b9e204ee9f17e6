/* C shim API (to be written). */
