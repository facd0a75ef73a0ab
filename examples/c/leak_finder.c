/**
 * @file leak_finder.c
 * @brief A small type, `Record`, and a function that leaks its instances,
 *        next to its corrected twin.
 *
 * Module `leak_finder`, for the chapter on finding leaked new references.
 * `record_list(count)` returns a list of `count` new `Record` objects, and
 * forgets to release its own reference to each one after appending it, the
 * a common leak in extension code. The list looks right to its caller;
 * only when the list is gone do the records stay behind, each with a
 * reference count of 1 that nobody owns.
 *
 * The type has a name of its own so that a leak of it stands out when live
 * objects are counted by type (`sys.getobjects()` on a trace-refs build).
 * Nothing here prints: every measurement is made from Python.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/**
 * @brief The C struct of a `leak_finder.Record`: an object header and a
 *        number.
 *
 * It holds no references to other objects, so one leaked record is one
 * leaked reference and one leaked memory block.
 */
// ANCHOR: RecordObject
typedef struct {
    PyObject_HEAD
    long number;
} RecordObject;
// ANCHOR_END: RecordObject

/**
 * @brief `Record(number)`: creates a record holding `number`.
 *
 * Reference counts: returns a new reference.
 */
static PyObject *
Record_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *keywords[] = {"number", NULL};
    long number;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "l", keywords, &number)) {
        return NULL;
    }
    RecordObject *self = (RecordObject *)type->tp_alloc(type, 0);
    if (self == NULL) {
        return NULL;
    }
    self->number = number;
    return (PyObject *)self;
}

/**
 * @brief `repr(record)`: `Record(<number>)`, so a leaked record found by
 *        `sys.getobjects()` says which one it is.
 *
 * Reference counts: returns a new reference to a str.
 */
static PyObject *
Record_repr(PyObject *self)
{
    return PyUnicode_FromFormat("Record(%ld)", ((RecordObject *)self)->number);
}

/**
 * @brief Frees a record. Runs only when its reference count reaches 0,
 *        which a leaked record's never does.
 */
static void
Record_dealloc(PyObject *self)
{
    Py_TYPE(self)->tp_free(self);
}

/**
 * @brief The type object of `leak_finder.Record` (a static type, not
 *        subclassable, not tracked by the garbage collector).
 */
static PyTypeObject RecordType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "leak_finder.Record",
    .tp_doc = PyDoc_STR("Record(number): a number in an object of its own type."),
    .tp_basicsize = sizeof(RecordObject),
    .tp_itemsize = 0,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_new = Record_new,
    .tp_dealloc = Record_dealloc,
    .tp_repr = Record_repr,
};

/**
 * @brief Creates a new record holding `number`.
 *
 * @return A new reference, or NULL with an exception set.
 */
static PyObject *
new_record(long number)
{
    RecordObject *record = PyObject_New(RecordObject, &RecordType);
    if (record == NULL) {
        return NULL;
    }
    record->number = number;
    return (PyObject *)record;
}

/**
 * @brief Returns a list of `count` new records numbered 0 to `count - 1`,
 *        and leaks one reference to each.
 *
 * Argument: `count`, a `Py_ssize_t`.
 *
 * `PyList_Append` does not steal the reference it is given: the list takes
 * a reference of its own. This function never releases the one it got
 * from `new_record()`, so each record's count is 2 while the list lives and
 * 1 after the list is gone.
 *
 * - Release build: nothing visible; the memory of `count` records is never
 *   given back.
 * - Debug build (`Py_REF_DEBUG`): once the list is gone,
 *   `sys.gettotalrefcount()` is `count` higher than before the call.
 * - Trace-refs build: `sys.getobjects()` still returns the `count` records.
 *
 * Reference counts: `count` new references, none released.
 */
// ANCHOR: record_list
static PyObject *
record_list(PyObject *Py_UNUSED(self), PyObject *args)
{
    Py_ssize_t count;
    if (!PyArg_ParseTuple(args, "n", &count)) {
        return NULL;
    }
    PyObject *list = PyList_New(0);
    if (list == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *record = new_record((long)i);
        if (record == NULL || PyList_Append(list, record) < 0) {
            Py_XDECREF(record);
            Py_DECREF(list);
            return NULL;
        }
        /* BUG: the list has its own reference now; ours is never released. */
    }
    return list;
}
// ANCHOR_END: record_list

/**
 * @brief Corrected twin of record_list(): releases its own reference to
 *        each record once the list holds one.
 *
 * Argument: `count`. When the returned list is gone, so are the records,
 * and `sys.gettotalrefcount()` is back where it was.
 *
 * Reference counts: `count` new references, each released after
 * `PyList_Append` took a reference of its own.
 */
// ANCHOR: record_list_fixed
static PyObject *
record_list_fixed(PyObject *Py_UNUSED(self), PyObject *args)
{
    Py_ssize_t count;
    if (!PyArg_ParseTuple(args, "n", &count)) {
        return NULL;
    }
    PyObject *list = PyList_New(0);
    if (list == NULL) {
        return NULL;
    }
    for (Py_ssize_t i = 0; i < count; i++) {
        PyObject *record = new_record((long)i);
        if (record == NULL || PyList_Append(list, record) < 0) {
            Py_XDECREF(record);
            Py_DECREF(list);
            return NULL;
        }
        Py_DECREF(record);  /* the list owns the record now */
    }
    return list;
}
// ANCHOR_END: record_list_fixed

/**
 * @brief Method table of the `leak_finder` module.
 */
static PyMethodDef leak_finder_methods[] = {
    {"record_list", record_list, METH_VARARGS,
     "record_list(count): a list of count records; leaks one reference to each."},
    {"record_list_fixed", record_list_fixed, METH_VARARGS,
     "record_list_fixed(count): a list of count records, no leak."},
    {NULL, NULL, 0, NULL}
};

/**
 * @brief Module definition of `leak_finder` (single-phase init).
 */
static struct PyModuleDef leak_finder_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "leak_finder",
    .m_doc = "A Record type and a function that leaks records.",
    .m_size = -1,
    .m_methods = leak_finder_methods,
};

/**
 * @brief Creates the `leak_finder` module and adds the `Record` type to it.
 *
 * @return A new reference to the module, or NULL with an exception set.
 */
PyMODINIT_FUNC
PyInit_leak_finder(void)
{
    if (PyType_Ready(&RecordType) < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&leak_finder_module);
    if (module == NULL) {
        return NULL;
    }
#ifdef Py_GIL_DISABLED
    /* Free-threaded builds (3.13+): the module declares it needs no GIL. */
    if (PyUnstable_Module_SetGIL(module, Py_MOD_GIL_NOT_USED) < 0) {
        Py_DECREF(module);
        return NULL;
    }
#endif
    Py_INCREF(&RecordType);
    if (PyModule_AddObject(module, "Record", (PyObject *)&RecordType) < 0) {
        Py_DECREF(&RecordType);
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
