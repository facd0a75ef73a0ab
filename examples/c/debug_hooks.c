/**
 * @file debug_hooks.c
 * @brief Shows the bytes the debug hooks of CPython's allocators write
 *        around a block and into it.
 *
 * Module `debug_hooks`, for the allocator chapter. With the debug hooks
 * installed (a debug build, or `PYTHONMALLOC=debug` on any build) each
 * `PyMem_Malloc` block sits between a header of `2 * sizeof(size_t)` bytes
 * (the requested size, big-endian; the API identifier; "forbidden" bytes
 * 0xFD) and a trailer of `sizeof(size_t)` forbidden bytes, and the block
 * itself starts out filled with 0xCD.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdio.h>

/** Bytes the debug hooks keep before a block: size, API id, 0xFD pad. */
#define HOOK_HEADER_BYTES (2 * sizeof(size_t))
/** Bytes the debug hooks keep after a block: 0xFD pad. */
#define HOOK_TRAILER_BYTES (sizeof(size_t))
/** Largest block show_block_layout() accepts, to keep its output short. */
#define LAYOUT_MAX_SIZE 32

/**
 * @brief Prints a label and `count` bytes in hex on one line.
 *
 * @param label Printed first, padded to 8 columns.
 * @param bytes The first byte to print.
 * @param count How many bytes to print.
 */
static void
print_hex(const char *label, const unsigned char *bytes, size_t count)
{
    printf("%-8s", label);
    for (size_t i = 0; i < count; i++) {
        printf(" %02x", bytes[i]);
    }
    printf("\n");
}

/**
 * @brief Allocates a block with `PyMem_Malloc` and prints the bytes before
 *        it, in it and after it, then frees it.
 *
 * Argument: `size` (optional, default 8, from 1 to 32). Prints three lines:
 * `header` (the `2 * sizeof(size_t)` bytes before the block), `block` (its
 * `size` bytes, never written) and `trailer` (the `sizeof(size_t)` bytes
 * after it).
 *
 * It reads outside the block and reads memory nobody initialised, on
 * purpose: only with the debug hooks installed are those bytes defined.
 *
 * - Debug build, or `PYTHONMALLOC=debug`: the header is the size as a
 *   big-endian `size_t`, then 0x6d (`'m'`, the `PyMem_Malloc` API) and
 *   seven 0xFD; the block is all 0xCD; the trailer is eight 0xFD.
 * - Release build, default pymalloc: whatever lies next to the block in
 *   its pool; meaningless, and different from run to run.
 *
 * Reference counts: none; raw memory only.
 */
// ANCHOR: show_block_layout
static PyObject *
show_block_layout(PyObject *Py_UNUSED(self), PyObject *args)
{
    Py_ssize_t size = 8;
    if (!PyArg_ParseTuple(args, "|n", &size)) {
        return NULL;
    }
    if (size < 1 || size > LAYOUT_MAX_SIZE) {
        PyErr_Format(PyExc_ValueError, "show_block_layout: size must be "
                     "from 1 to %d", LAYOUT_MAX_SIZE);
        return NULL;
    }
    unsigned char *block = PyMem_Malloc((size_t)size);
    if (block == NULL) {
        return PyErr_NoMemory();
    }
    /* Deliberate reads outside the block and of uninitialised bytes. */
    print_hex("header", block - HOOK_HEADER_BYTES, HOOK_HEADER_BYTES);
    print_hex("block", block, (size_t)size);
    print_hex("trailer", block + size, HOOK_TRAILER_BYTES);
    PyMem_Free(block);
    Py_RETURN_NONE;
}
// ANCHOR_END: show_block_layout

/**
 * @brief Method table of the `debug_hooks` module.
 */
static PyMethodDef debug_hooks_methods[] = {
    {"show_block_layout", show_block_layout, METH_VARARGS,
     "show_block_layout(size=8): print the bytes around and in a fresh "
     "PyMem_Malloc block."},
    {NULL, NULL, 0, NULL}
};

/**
 * @brief Module definition of `debug_hooks` (single-phase init).
 */
static struct PyModuleDef debug_hooks_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "debug_hooks",
    .m_doc = "What the allocator debug hooks write around a block.",
    .m_size = -1,
    .m_methods = debug_hooks_methods,
};

/**
 * @brief Creates the `debug_hooks` module.
 *
 * @return A new reference to the module, or NULL with an exception set.
 */
PyMODINIT_FUNC
PyInit_debug_hooks(void)
{
    PyObject *module = PyModule_Create(&debug_hooks_module);
#ifdef Py_GIL_DISABLED
    /* Free-threaded builds (3.13+): these functions share no state between
       threads, so the module need not switch the GIL back on. */
    if (module != NULL
        && PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED) < 0) {
        Py_DECREF(module);
        return NULL;
    }
#endif
    return module;
}
