/**
 * @file refcount_bugs.c
 * @brief Reference counting mistakes, each next to its corrected twin.
 *
 * Module `refcount_bugs`: using an object after its last reference is gone,
 * releasing a reference twice, never releasing new references, and keeping a
 * borrowed reference after its owner let go of the object. Each broken
 * function `name` has a corrected twin `name_fixed`. The outcome is the same
 * on every run: a release build stays silent or prints stale memory; a debug
 * build (`Py_DEBUG`, which implies `Py_REF_DEBUG`) shows the 0xDD fill of
 * freed memory or aborts with a fatal error.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdio.h>

/**
 * @brief Reads the reference count of an int after its last reference was
 *        released.
 *
 * `PyLong_FromLong(1024 * 1024)` returns a new int: the value lies outside
 * the small-int cache; ints have no free list in 3.11 to 3.13 (3.14 adds
 * one linked through `ob_refcnt`: see access_after_free_bytes()), so there
 * the memory goes back to the allocator. `Py_REFCNT` then reads freed memory.
 *
 * - Release build: prints what pymalloc wrote into the first word of the
 *   freed block: its link to the next free block, a pointer (0 if none).
 * - Debug build, or `PYTHONMALLOC=debug`: freed memory is filled with 0xDD,
 *   so it prints -2459565876494606883 (0xDDDDDDDDDDDDDDDD). Nothing aborts.
 *
 * Reference counts: one new reference from `PyLong_FromLong`, released by
 * `Py_DECREF`, which deallocates the int.
 */
// ANCHOR: access_after_free
static PyObject *
access_after_free(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    PyObject *number = PyLong_FromLong(1024L * 1024L);
    if (number == NULL) {
        return NULL;
    }
    printf("access_after_free: refcount before Py_DECREF: %zd\n",
           Py_REFCNT(number));
    Py_DECREF(number);  /* last reference: the int is freed here */
    /* BUG: `number` points to freed memory now. */
    printf("access_after_free: refcount after Py_DECREF: %zd\n",
           Py_REFCNT(number));
    Py_RETURN_NONE;
}
// ANCHOR_END: access_after_free

/**
 * @brief Corrected twin of access_after_free(): reads everything it needs
 *        while it still owns a reference.
 *
 * The count is read before `Py_DECREF`; afterwards the pointer is never
 * used. Same output on every build.
 *
 * Reference counts: one new reference, released once by `Py_DECREF`.
 */
// ANCHOR: access_after_free_fixed
static PyObject *
access_after_free_fixed(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    PyObject *number = PyLong_FromLong(1024L * 1024L);
    if (number == NULL) {
        return NULL;
    }
    Py_ssize_t refcount = Py_REFCNT(number);  /* read while we own it */
    Py_DECREF(number);
    printf("access_after_free_fixed: refcount before Py_DECREF: %zd\n",
           refcount);
    Py_RETURN_NONE;
}
// ANCHOR_END: access_after_free_fixed

/**
 * @brief Releases the same reference to a tuple twice.
 *
 * The tuple `(1, 2)` is created with one reference and `Py_DECREF` is called
 * on it twice. The first call deallocates the tuple; the second one
 * decrements the count of a dead object from 0 to -1.
 *
 * - Release build: silent. Dead tuples of length 1 to 19 go onto a free
 *   list linked through the first item slot; count and type stay as they
 *   were, so the -1 lands in memory nobody reads, and the tuple's next user
 *   gets a fresh count of 1.
 * - Debug build: `Py_DECREF` sees the negative count and aborts:
 *   `_Py_NegativeRefcount: Assertion failed: object has negative ref count`,
 *   an object dump (`object refcount : -1`, `object type name: tuple`), then
 *   `Fatal Python error: _PyObject_AssertFailed` and SIGABRT. The check is in
 *   the expanded `Py_DECREF`: only code built with debug headers has it.
 *
 * Not a float: the float free list is linked through the type pointer, and
 * the debug object dump follows it and dies with SIGSEGV instead.
 *
 * Reference counts: one new reference, released twice.
 */
// ANCHOR: double_decref
static PyObject *
double_decref(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    PyObject *pair = Py_BuildValue("(ii)", 1, 2);
    if (pair == NULL) {
        return NULL;
    }
    printf("double_decref: refcount before Py_DECREF: %zd\n",
           Py_REFCNT(pair));
    Py_DECREF(pair);  /* releases our only reference */
    printf("double_decref: first Py_DECREF done\n");
    Py_DECREF(pair);  /* BUG: releases it a second time */
    printf("double_decref: second Py_DECREF done\n");
    Py_RETURN_NONE;
}
// ANCHOR_END: double_decref

/**
 * @brief Corrected twin of double_decref(): one new reference, one release.
 *
 * `Py_CLEAR` releases the reference and sets the variable to NULL, so a
 * second `Py_CLEAR` on it does nothing.
 *
 * Reference counts: one new reference, released exactly once.
 */
// ANCHOR: double_decref_fixed
static PyObject *
double_decref_fixed(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    PyObject *pair = Py_BuildValue("(ii)", 1, 2);
    if (pair == NULL) {
        return NULL;
    }
    printf("double_decref_fixed: refcount before Py_CLEAR: %zd\n",
           Py_REFCNT(pair));
    Py_CLEAR(pair);  /* releases the reference, sets pair to NULL */
    printf("double_decref_fixed: first Py_CLEAR done\n");
    Py_CLEAR(pair);  /* pair is NULL: does nothing */
    printf("double_decref_fixed: second Py_CLEAR done\n");
    Py_RETURN_NONE;
}
// ANCHOR_END: double_decref_fixed

/**
 * @brief Creates `count` ints and never releases them.
 *
 * Arguments: `(value, count)`, a C long and a `Py_ssize_t`. Each
 * `PyLong_FromLong(value)` returns a new reference that is dropped. Outside
 * the small-int cache (-5 to 256) each one is a fresh object.
 *
 * - Release build: nothing visible but memory growth.
 * - Debug build: each call adds `count` to `sys.gettotalrefcount()` (and,
 *   for an uncached value, `count` to `sys.getallocatedblocks()`);
 *   `-X showrefcount` reports them at exit.
 *
 * Reference counts: `count` new references, none released.
 */
// ANCHOR: leak_new_reference
static PyObject *
leak_new_reference(PyObject *Py_UNUSED(self), PyObject *args)
{
    long value;
    Py_ssize_t count;
    if (!PyArg_ParseTuple(args, "ln", &value, &count)) {
        return NULL;
    }
    printf("leak_new_reference: value=%ld count=%zd\n", value, count);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *number = PyLong_FromLong(value);
        if (number == NULL) {
            return NULL;
        }
        /* BUG: `number` is a new reference and is never released. */
    }
    printf("leak_new_reference: DONE\n");
    Py_RETURN_NONE;
}
// ANCHOR_END: leak_new_reference

/**
 * @brief Corrected twin of leak_new_reference(): releases every int it
 *        creates.
 *
 * Arguments: `(value, count)`. On a debug build `sys.gettotalrefcount()`
 * is the same before and after the call.
 *
 * Reference counts: `count` new references, each released by `Py_DECREF`.
 */
// ANCHOR: leak_new_reference_fixed
static PyObject *
leak_new_reference_fixed(PyObject *Py_UNUSED(self), PyObject *args)
{
    long value;
    Py_ssize_t count;
    if (!PyArg_ParseTuple(args, "ln", &value, &count)) {
        return NULL;
    }
    printf("leak_new_reference_fixed: value=%ld count=%zd\n", value, count);
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *number = PyLong_FromLong(value);
        if (number == NULL) {
            return NULL;
        }
        Py_DECREF(number);
    }
    printf("leak_new_reference_fixed: DONE\n");
    Py_RETURN_NONE;
}
// ANCHOR_END: leak_new_reference_fixed

/**
 * @brief Keeps a borrowed reference from a list after the list dropped the
 *        item.
 *
 * A one-element list owns a fresh int; `PyList_GetItem` lends it to us.
 * Replacing the item with `PyList_SetItem` releases the list's reference,
 * the only one, so the int is freed under our borrowed pointer.
 *
 * - Release build: prints pymalloc's free-list link (a pointer, 0 if none).
 * - Debug build, or `PYTHONMALLOC=debug`: prints -2459565876494606883.
 *
 * Reference counts: `Py_BuildValue` returns a new reference to the list,
 * which owns the int; `PyList_GetItem` borrows; `PyList_SetItem` steals the
 * new reference to None and releases the int.
 */
// ANCHOR: borrowed_ref_after_drop
static PyObject *
borrowed_ref_after_drop(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    PyObject *list = Py_BuildValue("[l]", 1024L * 1024L);  /* [1048576] */
    if (list == NULL) {
        return NULL;
    }
    PyObject *item = PyList_GetItem(list, 0);  /* borrowed reference */
    printf("borrowed_ref_after_drop: item refcount: %zd\n", Py_REFCNT(item));
    /* The list releases its reference to the int: the int is freed. */
    if (PyList_SetItem(list, 0, Py_NewRef(Py_None)) < 0) {
        Py_DECREF(list);
        return NULL;
    }
    /* BUG: `item` was borrowed from the list and is dangling now. */
    printf("borrowed_ref_after_drop: item refcount after drop: %zd\n",
           Py_REFCNT(item));
    Py_DECREF(list);
    Py_RETURN_NONE;
}
// ANCHOR_END: borrowed_ref_after_drop

/**
 * @brief Corrected twin of borrowed_ref_after_drop(): turns the borrowed
 *        reference into a strong one before the list lets go.
 *
 * `Py_NewRef` takes a reference of our own, so the int survives when the
 * list replaces it. Reference counts: as in borrowed_ref_after_drop(), plus
 * the new reference from `Py_NewRef`, released at the end.
 */
// ANCHOR: borrowed_ref_after_drop_fixed
static PyObject *
borrowed_ref_after_drop_fixed(PyObject *Py_UNUSED(self),
                              PyObject *Py_UNUSED(args))
{
    PyObject *list = Py_BuildValue("[l]", 1024L * 1024L);  /* [1048576] */
    if (list == NULL) {
        return NULL;
    }
    PyObject *item = Py_NewRef(PyList_GetItem(list, 0));  /* strong now */
    printf("borrowed_ref_after_drop_fixed: item refcount: %zd\n",
           Py_REFCNT(item));
    if (PyList_SetItem(list, 0, Py_NewRef(Py_None)) < 0) {
        Py_DECREF(item);
        Py_DECREF(list);
        return NULL;
    }
    printf("borrowed_ref_after_drop_fixed: item refcount after drop: %zd\n",
           Py_REFCNT(item));
    Py_DECREF(item);
    Py_DECREF(list);
    Py_RETURN_NONE;
}
// ANCHOR_END: borrowed_ref_after_drop_fixed

/**
 * @brief Reads the reference count of a bytes object after its last
 *        reference was released: the read after free that still shows the
 *        debug fill on 3.14 and later.
 *
 * From 3.14 a freed int goes onto a free list whose link overlays
 * `ob_refcnt`, so access_after_free() reads a pointer there on every build.
 * A 100-byte `bytes` object has no free list on any version: `Py_DECREF`
 * hands its memory back to the object allocator.
 *
 * - Release build: prints what pymalloc wrote into the first word of the
 *   freed block (a pointer, or 0).
 * - Debug build, or `PYTHONMALLOC=debug`: freed memory is filled with 0xDD;
 *   the count reads -2459565876494606883 (64-bit `ob_refcnt`, 3.11 to 3.13)
 *   or 3722304989 (`0xDDDDDDDD`, 3.14 and later, whose `Py_REFCNT` reads the
 *   32-bit count). Nothing aborts.
 *
 * Reference counts: one new reference from `PyBytes_FromStringAndSize`,
 * released by `Py_DECREF`, which deallocates the bytes object.
 */
// ANCHOR: access_after_free_bytes
static PyObject *
access_after_free_bytes(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    PyObject *data = PyBytes_FromStringAndSize(NULL, 100);
    if (data == NULL) {
        return NULL;
    }
    printf("access_after_free_bytes: refcount before Py_DECREF: %zd\n",
           Py_REFCNT(data));
    Py_DECREF(data);  /* last reference: the bytes object is freed here */
    /* BUG: `data` points to freed memory now. */
    printf("access_after_free_bytes: refcount after Py_DECREF: %zd\n",
           Py_REFCNT(data));
    Py_RETURN_NONE;
}
// ANCHOR_END: access_after_free_bytes


/**
 * @brief Releases the same reference to a bytes object twice.
 *
 * Same bug as double_decref(), on an object type with no free list: the
 * first `Py_DECREF` hands the memory of the 100-byte `bytes` object back to
 * the allocator, and the second one decrements a count in freed memory.
 *
 * - Release build: silent, or a crash later, depending on what the
 *   allocator does with the freed block.
 * - Debug build: the debug hooks have filled the freed block with 0xDD, and
 *   what the second `Py_DECREF` does with that count depends on the version
 *   (the book shows each).
 *
 * Reference counts: one new reference, released twice.
 */
// ANCHOR: double_decref_bytes
static PyObject *
double_decref_bytes(PyObject *Py_UNUSED(self), PyObject *Py_UNUSED(args))
{
    PyObject *data = PyBytes_FromStringAndSize(NULL, 100);
    if (data == NULL) {
        return NULL;
    }
    printf("double_decref_bytes: refcount before Py_DECREF: %zd\n",
           Py_REFCNT(data));
    Py_DECREF(data);  /* releases our only reference: freed here */
    printf("double_decref_bytes: first Py_DECREF done\n");
    Py_DECREF(data);  /* BUG: releases it a second time */
    printf("double_decref_bytes: second Py_DECREF done\n");
    Py_RETURN_NONE;
}
// ANCHOR_END: double_decref_bytes


/**
 * @brief Method table of the `refcount_bugs` module: every broken function
 *        and its `_fixed` twin.
 */
// ANCHOR: refcount_bugs_methods
static PyMethodDef refcount_bugs_methods[] = {
    {"access_after_free", access_after_free, METH_NOARGS,
     "Read the refcount of an int after freeing it."},
    {"access_after_free_fixed", access_after_free_fixed, METH_NOARGS,
     "Read the refcount of an int before freeing it."},
    {"double_decref", double_decref, METH_NOARGS, "Py_DECREF a tuple twice."},
    {"double_decref_fixed", double_decref_fixed, METH_NOARGS,
     "Py_CLEAR a tuple twice (harmless)."},
    {"leak_new_reference", leak_new_reference, METH_VARARGS,
     "leak_new_reference(value, count): leak count new ints."},
    {"leak_new_reference_fixed", leak_new_reference_fixed, METH_VARARGS,
     "leak_new_reference_fixed(value, count): create and release count ints."},
    {"borrowed_ref_after_drop", borrowed_ref_after_drop, METH_NOARGS,
     "Use a borrowed list item after the list dropped it."},
    {"access_after_free_bytes", access_after_free_bytes, METH_NOARGS,
     "Read the reference count of a freed bytes object (a bug)."},
    {"double_decref_bytes", double_decref_bytes, METH_NOARGS,
     "Release one reference to a bytes object twice (a bug)."},
    {"borrowed_ref_after_drop_fixed", borrowed_ref_after_drop_fixed,
     METH_NOARGS, "Own a reference to a list item before the list drops it."},
    {NULL, NULL, 0, NULL}
};
// ANCHOR_END: refcount_bugs_methods

/**
 * @brief Module definition of `refcount_bugs` (single-phase init).
 */
// ANCHOR: refcount_bugs_module
static struct PyModuleDef refcount_bugs_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "refcount_bugs",
    .m_doc = "Reference counting bugs and their fixes.",
    .m_size = -1,
    .m_methods = refcount_bugs_methods,
};
// ANCHOR_END: refcount_bugs_module

/**
 * @brief Creates the `refcount_bugs` module.
 *
 * @return A new reference to the module, or NULL with an exception set.
 */
PyMODINIT_FUNC
PyInit_refcount_bugs(void)
{
    PyObject *module = PyModule_Create(&refcount_bugs_module);
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
