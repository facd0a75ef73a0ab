/**
 * @file abi_probe.c
 * @brief A correct extension to compile against one interpreter's headers
 *        and import into another.
 *
 * Module `abi_probe`. Nothing in it is a bug: the chapter on debug builds
 * compiles it by hand with the headers (and flags) of one interpreter and
 * imports it into another, to show which builds share an ABI.
 *
 * - headers() says which build macros were defined when it was compiled.
 * - make_and_release() creates and releases objects in balanced pairs, so
 *   `sys.gettotalrefcount()` should not move; it does move when the module
 *   was compiled without `Py_REF_DEBUG` but runs in an interpreter with it.
 *
 * The import itself is a check: under `Py_TRACE_REFS` (CPython 3.8 to 3.12)
 * `PyModule_Create` calls `PyModule_Create2TraceRefs` instead of
 * `PyModule_Create2`, so a module compiled for one of the two layouts of
 * `PyObject` fails to load into the other with `undefined symbol`.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifdef Py_DEBUG
#define ABI_PROBE_PY_DEBUG 1
#else
#define ABI_PROBE_PY_DEBUG 0
#endif

#ifdef Py_REF_DEBUG
#define ABI_PROBE_PY_REF_DEBUG 1
#else
#define ABI_PROBE_PY_REF_DEBUG 0
#endif

#ifdef Py_TRACE_REFS
#define ABI_PROBE_PY_TRACE_REFS 1
#else
#define ABI_PROBE_PY_TRACE_REFS 0
#endif

/**
 * @brief Returns a one-line description of the headers this module was
 *        compiled with.
 *
 * For example `3.11.2 headers: Py_DEBUG=0 Py_REF_DEBUG=0 Py_TRACE_REFS=0`.
 * The version is `PY_VERSION` from the headers' `patchlevel.h`, not the
 * version of the interpreter that imported the module; each `=0`/`=1` is
 * whether the macro was defined, by `pyconfig.h`, by `object.h` (which
 * defines `Py_REF_DEBUG` when `Py_DEBUG` is defined) or by `-D` on the
 * compiler's command line.
 *
 * Reference counts: returns a new reference to a str.
 *
 * @return A new str, or NULL with an exception set.
 */
// ANCHOR: headers
static PyObject *
headers(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    return PyUnicode_FromFormat(
        "%s headers: Py_DEBUG=%d Py_REF_DEBUG=%d Py_TRACE_REFS=%d",
        PY_VERSION, ABI_PROBE_PY_DEBUG, ABI_PROBE_PY_REF_DEBUG,
        ABI_PROBE_PY_TRACE_REFS);
}
// ANCHOR_END: headers

/**
 * @brief Creates `count` floats and releases each one at once.
 *
 * Correct code: every new reference is released, so on a build with
 * `Py_REF_DEBUG` the total that `sys.gettotalrefcount()` reports is the
 * same before and after the call. That holds only if this module was
 * compiled with `Py_REF_DEBUG` too: the interpreter adds 1 to the total when
 * it creates each float, and the `Py_DECREF` expanded here subtracts 1 only
 * if `Py_REF_DEBUG` was defined when this file was compiled. Compiled
 * without it, each call adds `count` to the total: a leak that is not there.
 *
 * Reference counts: `count` new references from `PyFloat_FromDouble`, each
 * released by `Py_DECREF`; returns a new reference to None.
 *
 * @param self The module (unused).
 * @param arg The count, an int >= 0.
 * @return None, or NULL with an exception set.
 */
// ANCHOR: make_and_release
static PyObject *
make_and_release(PyObject *Py_UNUSED(self), PyObject *arg)
{
    Py_ssize_t count = PyLong_AsSsize_t(arg);
    if (count == -1 && PyErr_Occurred()) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *item = PyFloat_FromDouble((double)i);
        if (item == NULL) {
            return NULL;
        }
        Py_DECREF(item);
    }
    Py_RETURN_NONE;
}
// ANCHOR_END: make_and_release

/**
 * @brief Method table of the `abi_probe` module.
 */
static PyMethodDef abi_probe_methods[] = {
    {"headers", headers, METH_NOARGS,
     "Describe the build macros this module was compiled with."},
    {"make_and_release", make_and_release, METH_O,
     "make_and_release(count): create and release count floats."},
    {NULL, NULL, 0, NULL}
};

/**
 * @brief Module definition of `abi_probe` (single-phase init).
 */
static struct PyModuleDef abi_probe_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "abi_probe",
    .m_doc = "Compile against one interpreter, import into another.",
    .m_size = -1,
    .m_methods = abi_probe_methods,
};

/**
 * @brief Creates the `abi_probe` module.
 *
 * `PyModule_Create` is a macro for `PyModule_Create2`, which the headers
 * rename to `PyModule_Create2TraceRefs` under `Py_TRACE_REFS` (3.8 to 3.12):
 * this call is where a module compiled for the other object layout fails to
 * load.
 *
 * @return A new reference to the module, or NULL with an exception set.
 */
// ANCHOR: PyInit_abi_probe
PyMODINIT_FUNC
PyInit_abi_probe(void)
{
    return PyModule_Create(&abi_probe_module);
}
// ANCHOR_END: PyInit_abi_probe
