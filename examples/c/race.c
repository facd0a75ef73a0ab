/**
 * @file race.c
 * @brief A counter shared by threads, without and with a lock.
 *
 * Module `race`: count_up() adds to a C global with no lock, a data race as
 * soon as two threads run it at once, which they do on a free-threaded build
 * (`--disable-gil`, 3.13+) because the module declares that it does not need
 * the GIL (`Py_mod_gil`). A ThreadSanitizer build (`--with-thread-sanitizer`)
 * reports the race; count_up_fixed() takes a `PyMutex` around the update and
 * is clean. Before 3.13 there is no free-threaded build and no `PyMutex`:
 * every build has a GIL, which these functions never release, so the lock is
 * compiled out there.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

/** @brief The shared counter: every thread adds to it. */
static long long counter = 0;

#if PY_VERSION_HEX >= 0x030D0000
/** @brief Guards #counter in count_up_fixed() and total() (zero: unlocked). */
static PyMutex counter_lock = {0};
#define COUNTER_LOCK() PyMutex_Lock(&counter_lock)
#define COUNTER_UNLOCK() PyMutex_Unlock(&counter_lock)
#else
/* Before 3.13 the GIL, held throughout these functions, serialises them. */
#define COUNTER_LOCK() ((void)0)
#define COUNTER_UNLOCK() ((void)0)
#endif

/**
 * @brief Adds 1 to the shared counter `times` times, without a lock.
 *
 * Two threads running this at once on a free-threaded build both read and
 * write #counter with nothing ordering their accesses: a data race.
 * Increments get lost, and ThreadSanitizer reports `data race` with both
 * threads' stacks. With a GIL (every build before 3.13, and 3.13+ unless
 * built with `--disable-gil`) only one thread runs C code at a time.
 *
 * Reference counts: touches no object; returns a new reference to None.
 */
// ANCHOR: count_up
static PyObject *
count_up(PyObject *Py_UNUSED(module), PyObject *arg)
{
    long times = PyLong_AsLong(arg);
    if (times == -1 && PyErr_Occurred()) {
        return NULL;
    }
    for (long i = 0; i < times; i++) {
        counter++;  /* BUG: read-modify-write shared by all threads, no lock */
    }
    Py_RETURN_NONE;
}
// ANCHOR_END: count_up

/**
 * @brief Corrected twin of count_up(): takes `counter_lock` around each
 *        update.
 *
 * `PyMutex` (3.13+) is a one-byte lock that needs no allocation and no
 * cleanup; `PyMutex_Lock` detaches the thread state while it waits, so a
 * thread blocked on it does not hold up the rest of the interpreter.
 *
 * Reference counts: touches no object; returns a new reference to None.
 */
// ANCHOR: count_up_fixed
static PyObject *
count_up_fixed(PyObject *Py_UNUSED(module), PyObject *arg)
{
    long times = PyLong_AsLong(arg);
    if (times == -1 && PyErr_Occurred()) {
        return NULL;
    }
    for (long i = 0; i < times; i++) {
        COUNTER_LOCK();
        counter++;
        COUNTER_UNLOCK();
    }
    Py_RETURN_NONE;
}
// ANCHOR_END: count_up_fixed

/**
 * @brief Returns the counter's value, read under `counter_lock`.
 *
 * Reference counts: returns a new reference to an int.
 */
// ANCHOR: total
static PyObject *
total(PyObject *Py_UNUSED(module), PyObject *Py_UNUSED(args))
{
    COUNTER_LOCK();
    long long value = counter;
    COUNTER_UNLOCK();
    return PyLong_FromLongLong(value);
}
// ANCHOR_END: total

/**
 * @brief Method table of the `race` module.
 */
static PyMethodDef race_methods[] = {
    {"count_up", count_up, METH_O,
     "count_up(n): add 1 to the shared counter n times, without a lock."},
    {"count_up_fixed", count_up_fixed, METH_O,
     "count_up_fixed(n): add 1 to the shared counter n times, locked."},
    {"total", total, METH_NOARGS, "total(): the shared counter's value."},
    {NULL, NULL, 0, NULL}
};

/**
 * @brief Slots of the `race` module: on 3.13+, the declaration that it
 *        does not need the GIL.
 *
 * Without `Py_mod_gil` a free-threaded interpreter assumes a module needs
 * the GIL, enables it when the module is imported, and warns.
 */
// ANCHOR: race_slots
static PyModuleDef_Slot race_slots[] = {
#if PY_VERSION_HEX >= 0x030D0000
    {Py_mod_gil, Py_MOD_GIL_NOT_USED},
#endif
    {0, NULL}
};
// ANCHOR_END: race_slots

/**
 * @brief Module definition of `race` (multi-phase init, no module state).
 */
static struct PyModuleDef race_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "race",
    .m_doc = "A counter shared by threads, without and with a lock.",
    .m_size = 0,
    .m_methods = race_methods,
    .m_slots = race_slots,
};

/**
 * @brief Returns the definition of `race`; the import system creates the
 *        module from it.
 *
 * @return The module definition, initialised as an object.
 */
PyMODINIT_FUNC
PyInit_race(void)
{
    return PyModuleDef_Init(&race_module);
}
