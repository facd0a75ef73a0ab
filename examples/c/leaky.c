/**
 * @file leaky.c
 * @brief Three leaks, each next to its corrected twin: a leaked new object,
 *        a leaked memory block that no reference count knows about, and a
 *        leaked reference to an object that already existed.
 *
 * Module `leaky`, for the chapter on hunting leaks in a loop. Run a test
 * many times and watch `sys.gettotalrefcount()` (debug builds) and
 * `sys.getallocatedblocks()` (every build with pymalloc):
 *
 * - tag() leaks one new str per call: both numbers grow by one a call.
 * - scratch() leaks one `PyMem_Calloc` block per call and no reference:
 *   only `sys.getallocatedblocks()` grows.
 * - get() leaks one reference to an object that exists anyway: only
 *   `sys.gettotalrefcount()` grows, and on 3.12 and later not even that
 *   when the object is immortal.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/**
 * @brief `tag(obj)`: returns the str `"<" + repr(obj) + ">"`, and leaks the
 *        repr.
 *
 * `PyObject_Repr` returns a new reference that the function never releases.
 *
 * - Debug build: `sys.gettotalrefcount()` grows by one a call, and
 *   `sys.getallocatedblocks()` by one (the repr str).
 *
 * Reference counts: one new reference returned, one leaked.
 */
// ANCHOR: tag
static PyObject *
tag(PyObject *Py_UNUSED(module), PyObject *obj)
{
    PyObject *repr = PyObject_Repr(obj);
    if (repr == NULL) {
        return NULL;
    }
    return PyUnicode_FromFormat("<%U>", repr);  /* BUG: repr is never released */
}
// ANCHOR_END: tag

/**
 * @brief Corrected twin of tag(): releases the repr once it is formatted.
 *
 * Reference counts: one new reference returned; the repr is released.
 */
// ANCHOR: tag_fixed
static PyObject *
tag_fixed(PyObject *Py_UNUSED(module), PyObject *obj)
{
    PyObject *repr = PyObject_Repr(obj);
    if (repr == NULL) {
        return NULL;
    }
    PyObject *result = PyUnicode_FromFormat("<%U>", repr);
    Py_DECREF(repr);
    return result;
}
// ANCHOR_END: tag_fixed

/**
 * @brief Reads the size argument of scratch() and scratch_fixed().
 *
 * @return 0 on success, -1 with an exception set.
 */
static int
scratch_size(PyObject *arg, Py_ssize_t *size)
{
    *size = PyLong_AsSsize_t(arg);
    if (*size == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (*size <= 0) {
        PyErr_SetString(PyExc_ValueError, "scratch: size must be > 0");
        return -1;
    }
    return 0;
}

/**
 * @brief `scratch(size)`: sums a zeroed scratch buffer of `size` bytes
 *        (always 0), and never frees the buffer.
 *
 * - Every build with pymalloc: `sys.getallocatedblocks()` grows by one a
 *   call (for sizes up to 512 bytes, which pymalloc serves).
 * - Debug build: `sys.gettotalrefcount()` does not move: no object is
 *   involved.
 *
 * Reference counts: one new reference returned (a small int); one
 * `PyMem_Calloc` block leaked.
 */
// ANCHOR: scratch
static PyObject *
scratch(PyObject *Py_UNUSED(module), PyObject *arg)
{
    Py_ssize_t size;
    if (scratch_size(arg, &size) < 0) {
        return NULL;
    }
    unsigned char *buffer = PyMem_Calloc((size_t)size, 1);
    if (buffer == NULL) {
        return PyErr_NoMemory();
    }
    long sum = 0;
    for (Py_ssize_t i = 0; i < size; i++) {
        sum += buffer[i];
    }
    return PyLong_FromLong(sum);  /* BUG: buffer is never freed */
}
// ANCHOR_END: scratch

/**
 * @brief Corrected twin of scratch(): frees the buffer.
 *
 * Reference counts: one new reference returned (a small int); no memory
 * kept.
 */
// ANCHOR: scratch_fixed
static PyObject *
scratch_fixed(PyObject *Py_UNUSED(module), PyObject *arg)
{
    Py_ssize_t size;
    if (scratch_size(arg, &size) < 0) {
        return NULL;
    }
    unsigned char *buffer = PyMem_Calloc((size_t)size, 1);
    if (buffer == NULL) {
        return PyErr_NoMemory();
    }
    long sum = 0;
    for (Py_ssize_t i = 0; i < size; i++) {
        sum += buffer[i];
    }
    PyMem_Free(buffer);
    return PyLong_FromLong(sum);
}
// ANCHOR_END: scratch_fixed

/**
 * @brief `get(mapping, key)`: returns `mapping[key]`, or None when the key
 *        is missing, and leaks one reference to the value it found.
 *
 * `PyObject_GetItem` returns a new reference, which is what the function
 * must return; the `Py_INCREF` before the return, right for the borrowed
 * `Py_None`, adds a second one that nobody releases.
 *
 * - Debug build: `sys.gettotalrefcount()` grows by one a call. No memory is
 *   allocated, so `sys.getallocatedblocks()` does not move.
 * - Python 3.12 and later: when the value is immortal (a small int, None,
 *   True, False), `Py_INCREF` leaves it alone and the total does not move
 *   either; the same code leaks as soon as the value is an ordinary object.
 *
 * Reference counts: returns a new reference; leaks one more on a found
 * value.
 */
// ANCHOR: get
static PyObject *
get(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *mapping, *key;
    if (!PyArg_ParseTuple(args, "OO", &mapping, &key)) {
        return NULL;
    }
    PyObject *value = PyObject_GetItem(mapping, key);  /* new reference */
    if (value == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_KeyError)) {
            return NULL;
        }
        PyErr_Clear();
        value = Py_None;  /* borrowed */
    }
    Py_INCREF(value);  /* BUG: right for Py_None, one too many for a found value */
    return value;
}
// ANCHOR_END: get

/**
 * @brief Corrected twin of get(): takes a reference only where it has none.
 *
 * Reference counts: returns a new reference, and nothing else.
 */
// ANCHOR: get_fixed
static PyObject *
get_fixed(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *mapping, *key;
    if (!PyArg_ParseTuple(args, "OO", &mapping, &key)) {
        return NULL;
    }
    PyObject *value = PyObject_GetItem(mapping, key);  /* new reference */
    if (value == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_KeyError)) {
            return NULL;
        }
        PyErr_Clear();
        return Py_NewRef(Py_None);
    }
    return value;
}
// ANCHOR_END: get_fixed

/**
 * @brief Method table of the `leaky` module.
 */
static PyMethodDef leaky_methods[] = {
    {"tag", tag, METH_O, "tag(obj): '<' + repr(obj) + '>'; leaks the repr."},
    {"tag_fixed", tag_fixed, METH_O, "tag_fixed(obj): '<' + repr(obj) + '>'."},
    {"scratch", scratch, METH_O,
     "scratch(size): sum of a zeroed buffer of size bytes; never frees it."},
    {"scratch_fixed", scratch_fixed, METH_O,
     "scratch_fixed(size): sum of a zeroed buffer of size bytes."},
    {"get", get, METH_VARARGS,
     "get(mapping, key): mapping[key] or None; leaks a reference to the value."},
    {"get_fixed", get_fixed, METH_VARARGS, "get_fixed(mapping, key): mapping[key] or None."},
    {NULL, NULL, 0, NULL}
};

/**
 * @brief Module definition of `leaky` (single-phase init).
 */
static struct PyModuleDef leaky_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "leaky",
    .m_doc = "A leaked reference and a leaked memory block, with their fixes.",
    .m_size = -1,
    .m_methods = leaky_methods,
};

/**
 * @brief Creates the `leaky` module.
 *
 * @return A new reference to the module, or NULL with an exception set.
 */
PyMODINIT_FUNC
PyInit_leaky(void)
{
    PyObject *module = PyModule_Create(&leaky_module);
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
