/**
 * @file quickstart.c
 * @brief Two everyday bugs of a small extension, each next to its corrected
 *        twin: a `Py_DECREF` of a borrowed argument, and a loop that writes
 *        one byte past its buffer.
 *
 * Module `quickstart`, for the book's first chapter, which runs both bugs
 * through the first tools to reach for: `python -X dev` and faulthandler,
 * `PYTHONMALLOC=debug` on a release build, and a debug build.
 *
 * - shout() releases a reference it never owned. On a release build the
 *   call seems to work; the process crashes later, at exit, when the real
 *   owners release the string that is already gone.
 * - fill_buffer() writes one byte past a `PyMem_Malloc` block. On a release
 *   build nothing is reported; with the allocator's debug hooks the free
 *   aborts with `bad trailing pad byte`.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/**
 * @brief `shout(text)`: returns `text.upper()`, and wrongly releases the
 *        caller's reference to `text`.
 *
 * A `METH_O` function receives its argument as a *borrowed* reference: the
 * caller owns it and releases it. The `Py_DECREF(text)` here takes one
 * reference away from an owner that will release it again later.
 *
 * - Release build: the call returns the right result. Once the count of
 *   `text` has dropped to 0 the string is freed while its owners still point
 *   to it; the crash comes when they release it, typically at exit
 *   (SIGSEGV, with faulthandler: `Garbage-collecting`, no Python frame).
 * - Debug build: the late release finds the freed string and aborts with
 *   `_Py_NegativeRefcount: Assertion failed: object has negative ref count`.
 *
 * Reference counts: one new reference (the result, returned); one
 * `Py_DECREF` too many on the argument.
 */
// ANCHOR: shout
static PyObject *
shout(PyObject *Py_UNUSED(module), PyObject *text)
{
    PyObject *upper = PyObject_CallMethod(text, "upper", NULL);
    if (upper == NULL) {
        return NULL;
    }
    Py_DECREF(text);  /* BUG: text is borrowed; the caller still owns it */
    return upper;
}
// ANCHOR_END: shout

/**
 * @brief Corrected twin of shout(): leaves the borrowed argument alone.
 *
 * Reference counts: one new reference (the result, returned); the argument's
 * count is the same after the call as before.
 */
// ANCHOR: shout_fixed
static PyObject *
shout_fixed(PyObject *Py_UNUSED(module), PyObject *text)
{
    return PyObject_CallMethod(text, "upper", NULL);
}
// ANCHOR_END: shout_fixed

/**
 * @brief Reads the size argument of fill_buffer() and fill_buffer_fixed().
 *
 * @return 0 on success, -1 with an exception set.
 */
static int
size_argument(PyObject *arg, Py_ssize_t *size)
{
    *size = PyLong_AsSsize_t(arg);
    if (*size == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (*size <= 0) {
        PyErr_SetString(PyExc_ValueError, "fill_buffer: size must be > 0");
        return -1;
    }
    return 0;
}

/**
 * @brief `fill_buffer(size)`: fills a `size`-byte scratch buffer with
 *        0, 1, 2, ... and returns the sum of its bytes; the loop writes one
 *        byte too many.
 *
 * The loop condition is `i <= size` where it should be `i < size`: the last
 * pass writes the byte at index `size`, just past the block.
 *
 * - Release build, pymalloc: silent, and the result is right. pymalloc
 *   rounds a small block up to a multiple of 16 bytes, so for size 10 the
 *   stray byte lands in padding nobody uses.
 * - `PYTHONMALLOC=debug`, `python -X dev`, or a debug build: the byte
 *   overwrites the first guard byte (0xFD) after the block, and `PyMem_Free`
 *   aborts: `Fatal Python error: _PyMem_DebugRawFree: bad trailing pad
 *   byte`.
 *
 * Reference counts: one new reference (the result); raw memory otherwise.
 */
// ANCHOR: fill_buffer
static PyObject *
fill_buffer(PyObject *Py_UNUSED(module), PyObject *arg)
{
    Py_ssize_t size;
    if (size_argument(arg, &size) < 0) {
        return NULL;
    }
    unsigned char *buffer = PyMem_Malloc((size_t)size);
    if (buffer == NULL) {
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i <= size; i++) {  /* BUG: <= writes buffer[size] */
        buffer[i] = (unsigned char)i;
    }
    long sum = 0;
    for (Py_ssize_t i = 0; i < size; i++) {
        sum += buffer[i];
    }
    PyMem_Free(buffer);
    return PyLong_FromLong(sum);
}
// ANCHOR_END: fill_buffer

/**
 * @brief Corrected twin of fill_buffer(): the loop stops at the last byte of
 *        the buffer.
 *
 * Clean on every build, under the debug hooks, Valgrind and
 * AddressSanitizer.
 *
 * Reference counts: one new reference (the result).
 */
// ANCHOR: fill_buffer_fixed
static PyObject *
fill_buffer_fixed(PyObject *Py_UNUSED(module), PyObject *arg)
{
    Py_ssize_t size;
    if (size_argument(arg, &size) < 0) {
        return NULL;
    }
    unsigned char *buffer = PyMem_Malloc((size_t)size);
    if (buffer == NULL) {
        return PyErr_NoMemory();
    }
    for (Py_ssize_t i = 0; i < size; i++) {
        buffer[i] = (unsigned char)i;
    }
    long sum = 0;
    for (Py_ssize_t i = 0; i < size; i++) {
        sum += buffer[i];
    }
    PyMem_Free(buffer);
    return PyLong_FromLong(sum);
}
// ANCHOR_END: fill_buffer_fixed

/**
 * @brief Method table of the `quickstart` module.
 */
static PyMethodDef quickstart_methods[] = {
    {"shout", shout, METH_O,
     "shout(text): text.upper(); releases a reference it does not own."},
    {"shout_fixed", shout_fixed, METH_O, "shout_fixed(text): text.upper()."},
    {"fill_buffer", fill_buffer, METH_O,
     "fill_buffer(size): sum of a filled scratch buffer; writes one byte past it."},
    {"fill_buffer_fixed", fill_buffer_fixed, METH_O,
     "fill_buffer_fixed(size): sum of a filled scratch buffer."},
    {NULL, NULL, 0, NULL}
};

/**
 * @brief Module definition of `quickstart` (single-phase init).
 */
static struct PyModuleDef quickstart_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "quickstart",
    .m_doc = "Two everyday extension bugs and their fixes.",
    .m_size = -1,
    .m_methods = quickstart_methods,
};

/**
 * @brief Creates the `quickstart` module.
 *
 * @return A new reference to the module, or NULL with an exception set.
 */
PyMODINIT_FUNC
PyInit_quickstart(void)
{
    PyObject *module = PyModule_Create(&quickstart_module);
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
