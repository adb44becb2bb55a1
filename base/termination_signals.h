// SIGINT and SIGTERM for the long-running commands (kaito-twin up, the controller manager):
// blocked before any thread starts, so that no io or worker thread takes them, and then
// waited for by one thread with sigwait.
#ifndef KT_BASE_TERMINATION_SIGNALS_H_
#define KT_BASE_TERMINATION_SIGNALS_H_

#include <csignal>

namespace kt {

// Blocks SIGINT and SIGTERM in the calling thread (threads it starts later inherit the mask)
// and returns the set to wait on.
sigset_t BlockTerminationSignals();

// Waits for one of `signals` (blocked beforehand) and returns it.
int WaitForSignal(const sigset_t& signals);

}  // namespace kt

#endif  // KT_BASE_TERMINATION_SIGNALS_H_
