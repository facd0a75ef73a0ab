/**
 * @file memory_bugs.c
 * @brief Raw memory mistakes with CPython's allocators, each next to its
 *        corrected twin.
 *
 * Module `memory_bugs`, for the chapters on the debug allocator hooks and
 * on Valgrind: a one-byte overrun, a free through the wrong allocator family,
 * a leaked block, a read after free; each with a corrected `_fixed` twin.
 *
 * - Release build, default pymalloc: none of these bugs is reported.
 * - Debug build, or `PYTHONMALLOC=debug`: the debug hooks pad each block
 *   with 0xFD bytes, tag it with the API that allocated it and fill freed
 *   memory with 0xDD; overruns and API mismatches abort at free time.
 * - `PYTHONMALLOC=malloc` under Valgrind: every block comes from `malloc`,
 *   so Valgrind reports invalid reads and writes and lost blocks.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdio.h>
#include <string.h>

/**
 * @brief Parses an optional non-negative size argument.
 *
 * @param args The positional arguments tuple of a METH_VARARGS function.
 * @param name The function name, for the error message.
 * @param size In: the default; out: the parsed size.
 * @return 0 on success, -1 with an exception set.
 */
static int
parse_size(PyObject *args, const char *name, Py_ssize_t *size)
{
    if (!PyArg_ParseTuple(args, "|n", size)) {
        return -1;
    }
    if (*size < 0) {
        PyErr_Format(PyExc_ValueError, "%s: size must be >= 0", name);
        return -1;
    }
    return 0;
}

/**
 * @brief Writes one byte past the end of a `PyMem_Malloc` block.
 *
 * Argument: `size` (optional, default 10). The block has `size` bytes; the
 * function fills them, then writes one more at index `size`.
 *
 * - Release build, default pymalloc: silent. pymalloc rounds sizes up to a
 *   multiple of 16, so with size 10 the byte lands in unused padding (with a
 *   multiple of 16 it would hit the next block).
 * - Debug build, or `PYTHONMALLOC=debug`: the byte overwrites the first 0xFD
 *   pad byte after the block. `PyMem_Free` dumps the block (it names the
 *   block's address and the allocator domain, "m" for PyMem) and aborts with
 *   `Fatal Python error: _PyMem_DebugRawFree: bad trailing pad byte`
 *   (SIGABRT).
 * - `PYTHONMALLOC=malloc` under Valgrind: `Invalid write of size 1`.
 *
 * Reference counts: none; raw memory only.
 */
// ANCHOR: write_past_end
static PyObject *
write_past_end(PyObject *Py_UNUSED(self), PyObject *args)
{
    Py_ssize_t size = 10;
    if (parse_size(args, "write_past_end", &size) < 0) {
        return NULL;
    }
    char *buffer = PyMem_Malloc((size_t)size);
    if (buffer == NULL) {
        return PyErr_NoMemory();
    }
    printf("write_past_end: writing %zd bytes into a %zd-byte block\n",
           size + 1, size);
    memset(buffer, 'x', (size_t)size);  /* indexes 0 .. size-1: fine */
    buffer[size] = 'x';                 /* BUG: one byte past the end */
    printf("write_past_end: freeing the block\n");
    PyMem_Free(buffer);
    printf("write_past_end: block freed\n");
    Py_RETURN_NONE;
}
// ANCHOR_END: write_past_end

/**
 * @brief Corrected twin of write_past_end(): writes exactly `size` bytes.
 *
 * Argument: `size` (optional, default 10). Clean everywhere.
 *
 * Reference counts: none; raw memory only.
 */
// ANCHOR: write_past_end_fixed
static PyObject *
write_past_end_fixed(PyObject *Py_UNUSED(self), PyObject *args)
{
    Py_ssize_t size = 10;
    if (parse_size(args, "write_past_end_fixed", &size) < 0) {
        return NULL;
    }
    char *buffer = PyMem_Malloc((size_t)size);
    if (buffer == NULL) {
        return PyErr_NoMemory();
    }
    printf("write_past_end_fixed: writing %zd bytes into a %zd-byte block\n",
           size, size);
    memset(buffer, 'x', (size_t)size);  /* indexes 0 .. size-1 only */
    PyMem_Free(buffer);
    printf("write_past_end_fixed: block freed\n");
    Py_RETURN_NONE;
}
// ANCHOR_END: write_past_end_fixed

/**
 * @brief Allocates with `PyMem_Malloc` and frees with `PyObject_Free`.
 *
 * Each family needs its own free function: `PyMem_RawMalloc`/`PyMem_RawFree`,
 * `PyMem_Malloc`/`PyMem_Free`, `PyObject_Malloc`/`PyObject_Free`.
 *
 * - Release build, default pymalloc: silent; both families happen to use
 *   pymalloc. A custom allocator for one of them would break it.
 * - Debug build, or `PYTHONMALLOC=debug`: blocks record their API, and
 *   `PyObject_Free` aborts: `Fatal Python error: _PyMem_DebugRawFree: bad
 *   ID: Allocated using API 'm', verified using API 'o'` (SIGABRT).
 * - `PYTHONMALLOC=malloc` under Valgrind: silent, both end in `free`. Only
 *   the debug hooks see this bug.
 *
 * Reference counts: none; raw memory only.
 */
// ANCHOR: free_with_wrong_api
static PyObject *
free_with_wrong_api(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    char *buffer = PyMem_Malloc(16);
    if (buffer == NULL) {
        return PyErr_NoMemory();
    }
    memset(buffer, 'x', 16);
    printf("free_with_wrong_api: PyMem_Malloc block, freeing it with "
           "PyObject_Free\n");
    PyObject_Free(buffer);  /* BUG: must be PyMem_Free */
    printf("free_with_wrong_api: block freed\n");
    Py_RETURN_NONE;
}
// ANCHOR_END: free_with_wrong_api

/**
 * @brief Corrected twin of free_with_wrong_api(): `PyMem_Malloc` paired
 *        with `PyMem_Free`.
 *
 * Clean everywhere.
 *
 * Reference counts: none; raw memory only.
 */
// ANCHOR: free_with_wrong_api_fixed
static PyObject *
free_with_wrong_api_fixed(PyObject *Py_UNUSED(self),
                          PyObject *Py_UNUSED(args))
{
    char *buffer = PyMem_Malloc(16);
    if (buffer == NULL) {
        return PyErr_NoMemory();
    }
    memset(buffer, 'x', 16);
    printf("free_with_wrong_api_fixed: PyMem_Malloc block, freeing it with "
           "PyMem_Free\n");
    PyMem_Free(buffer);
    printf("free_with_wrong_api_fixed: block freed\n");
    Py_RETURN_NONE;
}
// ANCHOR_END: free_with_wrong_api_fixed

/**
 * @brief Allocates a block with `PyMem_RawMalloc` and never frees it.
 *
 * Argument: `size` (optional, default 100). The only pointer to the block
 * is a local variable, so the block is unreachable after the return.
 *
 * - Release and debug builds: silent. `sys.getallocatedblocks()` does not
 *   count raw blocks.
 * - `PYTHONMALLOC=malloc` under Valgrind, `--leak-check=full`: `100 bytes
 *   in 1 blocks are definitely lost`, allocated in this function.
 *
 * Reference counts: none; raw memory only.
 */
// ANCHOR: leak_raw_memory
static PyObject *
leak_raw_memory(PyObject *Py_UNUSED(self), PyObject *args)
{
    Py_ssize_t size = 100;
    if (parse_size(args, "leak_raw_memory", &size) < 0) {
        return NULL;
    }
    char *buffer = PyMem_RawMalloc((size_t)size);
    if (buffer == NULL) {
        return PyErr_NoMemory();
    }
    memset(buffer, 'x', (size_t)size);
    printf("leak_raw_memory: allocated %zd bytes, not freeing them\n", size);
    /* BUG: `buffer` goes out of scope without PyMem_RawFree. */
    Py_RETURN_NONE;
}
// ANCHOR_END: leak_raw_memory

/**
 * @brief Corrected twin of leak_raw_memory(): frees the block with
 *        `PyMem_RawFree`.
 *
 * Argument: `size` (optional, default 100). Nothing lost under Valgrind.
 *
 * Reference counts: none; raw memory only.
 */
// ANCHOR: leak_raw_memory_fixed
static PyObject *
leak_raw_memory_fixed(PyObject *Py_UNUSED(self), PyObject *args)
{
    Py_ssize_t size = 100;
    if (parse_size(args, "leak_raw_memory_fixed", &size) < 0) {
        return NULL;
    }
    char *buffer = PyMem_RawMalloc((size_t)size);
    if (buffer == NULL) {
        return PyErr_NoMemory();
    }
    memset(buffer, 'x', (size_t)size);
    PyMem_RawFree(buffer);
    printf("leak_raw_memory_fixed: allocated and freed %zd bytes\n", size);
    Py_RETURN_NONE;
}
// ANCHOR_END: leak_raw_memory_fixed

/**
 * @brief Reads a byte of a `PyMem_Malloc` block after freeing it.
 *
 * A 32-byte block is filled with 0xAB and freed; byte 16 is then read.
 * Allocators keep their bookkeeping in the first 16 bytes of a free block
 * (pymalloc a next pointer, glibc a pointer and a key), so byte 16 shows
 * only whether freed memory gets overwritten.
 *
 * - Release build, default pymalloc: prints `0xab`: the stale data looks
 *   valid, which is why this bug goes unnoticed.
 * - Debug build, or `PYTHONMALLOC=debug`: prints `0xdd`. Nothing aborts.
 * - `PYTHONMALLOC=malloc` under Valgrind: `Invalid read of size 1`, `16
 *   bytes inside a block of size 32 free'd`.
 *
 * Reference counts: none; raw memory only.
 */
// ANCHOR: read_freed_memory
static PyObject *
read_freed_memory(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    unsigned char *buffer = PyMem_Malloc(32);
    if (buffer == NULL) {
        return PyErr_NoMemory();
    }
    memset(buffer, 0xAB, 32);
    PyMem_Free(buffer);
    /* BUG: buffer[16] reads from the freed block. */
    printf("read_freed_memory: byte 16 after free: 0x%02x\n", buffer[16]);
    Py_RETURN_NONE;
}
// ANCHOR_END: read_freed_memory

/**
 * @brief Corrected twin of read_freed_memory(): reads the byte before
 *        freeing the block.
 *
 * Prints `0xab` everywhere; clean under Valgrind.
 *
 * Reference counts: none; raw memory only.
 */
// ANCHOR: read_freed_memory_fixed
static PyObject *
read_freed_memory_fixed(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    unsigned char *buffer = PyMem_Malloc(32);
    if (buffer == NULL) {
        return PyErr_NoMemory();
    }
    memset(buffer, 0xAB, 32);
    unsigned char byte = buffer[16];
    PyMem_Free(buffer);
    printf("read_freed_memory_fixed: byte 16 before free: 0x%02x\n", byte);
    Py_RETURN_NONE;
}
// ANCHOR_END: read_freed_memory_fixed

/**
 * @brief Method table of the `memory_bugs` module: every broken function
 *        and its `_fixed` twin.
 */
// ANCHOR: memory_bugs_methods
static PyMethodDef memory_bugs_methods[] = {
    {"write_past_end", write_past_end, METH_VARARGS,
     "write_past_end(size=10): write one byte past a PyMem_Malloc block."},
    {"write_past_end_fixed", write_past_end_fixed, METH_VARARGS,
     "write_past_end_fixed(size=10): stay inside the block."},
    {"free_with_wrong_api", free_with_wrong_api, METH_NOARGS,
     "Free a PyMem_Malloc block with PyObject_Free."},
    {"free_with_wrong_api_fixed", free_with_wrong_api_fixed, METH_NOARGS,
     "Free a PyMem_Malloc block with PyMem_Free."},
    {"leak_raw_memory", leak_raw_memory, METH_VARARGS,
     "leak_raw_memory(size=100): PyMem_RawMalloc without PyMem_RawFree."},
    {"leak_raw_memory_fixed", leak_raw_memory_fixed, METH_VARARGS,
     "leak_raw_memory_fixed(size=100): PyMem_RawMalloc, then PyMem_RawFree."},
    {"read_freed_memory", read_freed_memory, METH_NOARGS,
     "Read a byte of a PyMem_Malloc block after freeing it."},
    {"read_freed_memory_fixed", read_freed_memory_fixed, METH_NOARGS,
     "Read a byte of a PyMem_Malloc block before freeing it."},
    {NULL, NULL, 0, NULL}
};
// ANCHOR_END: memory_bugs_methods

/**
 * @brief Module definition of `memory_bugs` (single-phase init).
 */
// ANCHOR: memory_bugs_module
static struct PyModuleDef memory_bugs_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "memory_bugs",
    .m_doc = "Raw memory bugs and their fixes.",
    .m_size = -1,
    .m_methods = memory_bugs_methods,
};
// ANCHOR_END: memory_bugs_module

/**
 * @brief Creates the `memory_bugs` module.
 *
 * @return A new reference to the module, or NULL with an exception set.
 */
PyMODINIT_FUNC
PyInit_memory_bugs(void)
{
    PyObject *module = PyModule_Create(&memory_bugs_module);
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
