/**
 * @file gdb_target.c
 * @brief Two bugs to catch in gdb: a NULL dereference and a fatal error.
 *
 * Module `gdb_target`: value_type_name() dereferences the NULL a failed
 * dictionary lookup returns and dies with SIGSEGV on every build;
 * squares_without_gil() creates Python objects after releasing the GIL,
 * which a debug build (or `PYTHONMALLOC=debug`) stops with a
 * `Fatal Python error` and SIGABRT. Each has a corrected twin `name_fixed`.
 * The chapter on gdb runs them under gdb on Debian's debug interpreters,
 * whose gdb helpers (`py-bt`, `py-list`, `py-print`, `py-locals`) show the
 * Python side of the C stack.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/**
 * @brief Returns the type name of `mapping[key]`, without checking that the
 *        key is there.
 *
 * `PyDict_GetItemWithError()` returns a borrowed reference, or NULL when
 * the key is missing (with no exception set) or on error (with one). This
 * function uses the result without looking at it, so a missing key makes
 * `Py_TYPE(value)` read address 0x8 (the type pointer of an object at
 * NULL): SIGSEGV, on release and debug builds alike.
 *
 * Reference counts: `value` is borrowed from the dictionary; the returned
 * string is a new reference.
 */
// ANCHOR: value_type_name
static PyObject *
value_type_name(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *mapping, *key;
    if (!PyArg_ParseTuple(args, "O!U", &PyDict_Type, &mapping, &key)) {
        return NULL;
    }
    PyObject *value = PyDict_GetItemWithError(mapping, key);
    /* BUG: value is NULL when the key is missing. */
    return PyUnicode_FromString(Py_TYPE(value)->tp_name);
}
// ANCHOR_END: value_type_name

/**
 * @brief Corrected twin of value_type_name(): a missing key raises
 *        KeyError.
 *
 * Reference counts: `value` is borrowed; the returned string is a new
 * reference.
 */
// ANCHOR: value_type_name_fixed
static PyObject *
value_type_name_fixed(PyObject *Py_UNUSED(module), PyObject *args)
{
    PyObject *mapping, *key;
    if (!PyArg_ParseTuple(args, "O!U", &PyDict_Type, &mapping, &key)) {
        return NULL;
    }
    PyObject *value = PyDict_GetItemWithError(mapping, key);
    if (value == NULL) {
        if (!PyErr_Occurred()) {
            PyErr_SetObject(PyExc_KeyError, key);
        }
        return NULL;
    }
    return PyUnicode_FromString(Py_TYPE(value)->tp_name);
}
// ANCHOR_END: value_type_name_fixed

/**
 * @brief Fills a list with `count` squares plus one million, creating the ints
 *        after releasing the GIL.
 *
 * The loop looks like pure C arithmetic, so the GIL is released around it;
 * but `PyLong_FromLong()` allocates objects, which needs the GIL (on a
 * free-threaded build: an attached thread state). A debug build checks
 * this in the allocator's debug hooks and aborts with a `Fatal Python
 * error`; a release build may run on and corrupt memory later.
 *
 * Reference counts: `squares` is a new reference, returned to the caller;
 * each int is a new reference stolen by `PyList_SET_ITEM`.
 */
// ANCHOR: squares_without_gil
static PyObject *
squares_without_gil(PyObject *Py_UNUSED(module), PyObject *arg)
{
    Py_ssize_t count = PyLong_AsSsize_t(arg);
    if (count == -1 && PyErr_Occurred()) {
        return NULL;
    }
    PyObject *squares = PyList_New(count);
    if (squares == NULL) {
        return NULL;
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < count; i++) {
        /* BUG: creates an object without holding the GIL. */
        PyList_SET_ITEM(squares, i, PyLong_FromSsize_t(1000000 + i * i));
    }
    Py_END_ALLOW_THREADS
    return squares;
}
// ANCHOR_END: squares_without_gil

/**
 * @brief Corrected twin of squares_without_gil(): computes without the GIL,
 *        creates the ints with it.
 *
 * The arithmetic goes into a C array while the GIL is released; the ints
 * are created after `Py_END_ALLOW_THREADS`.
 *
 * Reference counts: `squares` is a new reference, returned to the caller;
 * each int is a new reference stolen by `PyList_SET_ITEM`.
 */
// ANCHOR: squares_without_gil_fixed
static PyObject *
squares_without_gil_fixed(PyObject *Py_UNUSED(module), PyObject *arg)
{
    Py_ssize_t count = PyLong_AsSsize_t(arg);
    if (count == -1 && PyErr_Occurred()) {
        return NULL;
    }
    if (count < 0) {
        PyErr_SetString(PyExc_ValueError, "count must not be negative");
        return NULL;
    }
    Py_ssize_t *values = PyMem_New(Py_ssize_t, (size_t)count + 1);
    if (values == NULL) {
        return PyErr_NoMemory();
    }
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < count; i++) {
        values[i] = 1000000 + i * i;  /* C only: no Python object here */
    }
    Py_END_ALLOW_THREADS
    PyObject *squares = PyList_New(count);
    for (Py_ssize_t i = 0; squares != NULL && i < count; i++) {
        PyObject *item = PyLong_FromSsize_t(values[i]);
        if (item == NULL) {
            Py_CLEAR(squares);
            break;
        }
        PyList_SET_ITEM(squares, i, item);
    }
    PyMem_Free(values);
    return squares;
}
// ANCHOR_END: squares_without_gil_fixed

/**
 * @brief Method table of the `gdb_target` module.
 */
// ANCHOR: gdb_target_methods
static PyMethodDef gdb_target_methods[] = {
    {"value_type_name", value_type_name, METH_VARARGS,
     "value_type_name(mapping, key): type name of mapping[key] (no check)."},
    {"value_type_name_fixed", value_type_name_fixed, METH_VARARGS,
     "value_type_name_fixed(mapping, key): KeyError if key is missing."},
    {"squares_without_gil", squares_without_gil, METH_O,
     "squares_without_gil(n): creates ints without holding the GIL."},
    {"squares_without_gil_fixed", squares_without_gil_fixed, METH_O,
     "squares_without_gil_fixed(n): creates ints while holding the GIL."},
    {NULL, NULL, 0, NULL}
};
// ANCHOR_END: gdb_target_methods

/**
 * @brief Module definition of `gdb_target` (single-phase init).
 */
static struct PyModuleDef gdb_target_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "gdb_target",
    .m_doc = "A NULL dereference and a fatal error to catch in gdb.",
    .m_size = -1,
    .m_methods = gdb_target_methods,
};

/**
 * @brief Creates the `gdb_target` module.
 *
 * @return A new reference to the module, or NULL with an exception set.
 */
PyMODINIT_FUNC
PyInit_gdb_target(void)
{
    return PyModule_Create(&gdb_target_module);
}
