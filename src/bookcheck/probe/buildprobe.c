/**
 * @file buildprobe.c
 * @brief Reports which build macros the CPython headers defined when this
 *        extension was compiled.
 *
 * Module `buildprobe`. `sysconfig` describes the interpreter that runs; this
 * module describes the headers and compiler flags an extension was built
 * with, which is what decides whether `Py_DECREF` checks for negative counts
 * or whether the object layout has the trace-refs fields. Comparing the two
 * shows an extension built against the wrong headers.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#ifdef Py_DEBUG
#define BUILDPROBE_PY_DEBUG 1
#else
#define BUILDPROBE_PY_DEBUG 0
#endif

#ifdef Py_REF_DEBUG
#define BUILDPROBE_PY_REF_DEBUG 1
#else
#define BUILDPROBE_PY_REF_DEBUG 0
#endif

#ifdef Py_TRACE_REFS
#define BUILDPROBE_PY_TRACE_REFS 1
#else
#define BUILDPROBE_PY_TRACE_REFS 0
#endif

#ifdef WITH_PYMALLOC
#define BUILDPROBE_WITH_PYMALLOC 1
#else
#define BUILDPROBE_WITH_PYMALLOC 0
#endif

#ifdef Py_GIL_DISABLED
#define BUILDPROBE_PY_GIL_DISABLED 1
#else
#define BUILDPROBE_PY_GIL_DISABLED 0
#endif

#ifdef Py_LIMITED_API
#define BUILDPROBE_PY_LIMITED_API 1
#else
#define BUILDPROBE_PY_LIMITED_API 0
#endif

#ifdef NDEBUG
#define BUILDPROBE_NDEBUG 1
#else
#define BUILDPROBE_NDEBUG 0
#endif

/* Under -fsanitize=address gcc defines __SANITIZE_ADDRESS__; clang 14 does
   not, but answers __has_feature(address_sanitizer). */
#if defined(__SANITIZE_ADDRESS__)
#define BUILDPROBE_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BUILDPROBE_ASAN 1
#endif
#endif
#ifndef BUILDPROBE_ASAN
#define BUILDPROBE_ASAN 0
#endif

/* The same for ThreadSanitizer (-fsanitize=thread). */
#if defined(__SANITIZE_THREAD__)
#define BUILDPROBE_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define BUILDPROBE_TSAN 1
#endif
#endif
#ifndef BUILDPROBE_TSAN
#define BUILDPROBE_TSAN 0
#endif

/**
 * @brief Stores `key: bool(flag)` in `dict`.
 *
 * @param dict The dict to fill.
 * @param key The key, a C string.
 * @param flag Nonzero for True.
 * @return 0 on success, -1 with an exception set.
 */
static int
set_flag(PyObject *dict, const char *key, int flag)
{
    /* Py_True and Py_False are borrowed; PyDict_SetItemString takes its own
       reference, so nothing is released here. */
    return PyDict_SetItemString(dict, key, flag ? Py_True : Py_False);
}

/**
 * @brief Stores `key: value` in `dict` and releases `value`.
 *
 * @param dict The dict to fill.
 * @param key The key, a C string.
 * @param value A new reference, or NULL if creating it failed.
 * @return 0 on success, -1 with an exception set.
 */
static int
set_new(PyObject *dict, const char *key, PyObject *value)
{
    if (value == NULL) {
        return -1;
    }
    int result = PyDict_SetItemString(dict, key, value);
    Py_DECREF(value);
    return result;
}

/**
 * @brief Returns a dict describing the headers and flags this module was
 *        compiled with.
 *
 * Keys: `Py_DEBUG`, `Py_REF_DEBUG`, `Py_TRACE_REFS`, `WITH_PYMALLOC`,
 * `Py_GIL_DISABLED`, `Py_LIMITED_API`, `NDEBUG`, `address_sanitizer`,
 * `thread_sanitizer` (all
 * bool: whether the macro was defined), `PY_VERSION` (str) and
 * `PY_VERSION_HEX` (int), both from the headers' `patchlevel.h`.
 *
 * Not a bug demonstration: the same code on every build. Built against
 * release headers it reports `Py_DEBUG: False` even when a debug interpreter
 * loads it (3.8+ debug interpreters accept release-built modules).
 *
 * Reference counts: returns a new reference to the dict; the values it
 * creates are new references handed to the dict, which keeps its own.
 *
 * @return A new dict, or NULL with an exception set.
 */
// ANCHOR: compiled_with
static PyObject *
compiled_with(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    PyObject *info = PyDict_New();
    if (info == NULL) {
        return NULL;
    }
    if (set_flag(info, "Py_DEBUG", BUILDPROBE_PY_DEBUG) < 0
        || set_flag(info, "Py_REF_DEBUG", BUILDPROBE_PY_REF_DEBUG) < 0
        || set_flag(info, "Py_TRACE_REFS", BUILDPROBE_PY_TRACE_REFS) < 0
        || set_flag(info, "WITH_PYMALLOC", BUILDPROBE_WITH_PYMALLOC) < 0
        || set_flag(info, "Py_GIL_DISABLED", BUILDPROBE_PY_GIL_DISABLED) < 0
        || set_flag(info, "Py_LIMITED_API", BUILDPROBE_PY_LIMITED_API) < 0
        || set_flag(info, "NDEBUG", BUILDPROBE_NDEBUG) < 0
        || set_flag(info, "address_sanitizer", BUILDPROBE_ASAN) < 0
        || set_flag(info, "thread_sanitizer", BUILDPROBE_TSAN) < 0
        || set_new(info, "PY_VERSION", PyUnicode_FromString(PY_VERSION)) < 0
        || set_new(info, "PY_VERSION_HEX",
                   PyLong_FromUnsignedLong(PY_VERSION_HEX)) < 0) {
        Py_DECREF(info);
        return NULL;
    }
    return info;
}
// ANCHOR_END: compiled_with

/**
 * @brief Method table of the `buildprobe` module.
 */
static PyMethodDef buildprobe_methods[] = {
    {"compiled_with", compiled_with, METH_NOARGS,
     "Return a dict of the build macros this module was compiled with."},
    {NULL, NULL, 0, NULL}
};

/**
 * @brief Module definition of `buildprobe` (single-phase init).
 */
static struct PyModuleDef buildprobe_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "buildprobe",
    .m_doc = "Which build macros the CPython headers defined at compile time.",
    .m_size = -1,
    .m_methods = buildprobe_methods,
};

/**
 * @brief Creates the `buildprobe` module.
 *
 * @return A new reference to the module, or NULL with an exception set.
 */
PyMODINIT_FUNC
PyInit_buildprobe(void)
{
    PyObject *module = PyModule_Create(&buildprobe_module);
#ifdef Py_GIL_DISABLED
    /* The probe keeps no state between calls, so it is safe without the GIL; saying so
       keeps a free-threaded interpreter from turning the GIL on when it is imported. */
    if (module != NULL && PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED) < 0) {
        Py_DECREF(module);
        return NULL;
    }
#endif
    return module;
}
