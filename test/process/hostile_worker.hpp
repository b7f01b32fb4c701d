// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
// How hostile_worker breaks the protocol when it is called with process_tasks::misbehave
// (or misbehave_text) and one of these modes; every other call it answers correctly.
#ifndef ASYNCJOBS_TEST_PROCESS_HOSTILE_WORKER_HPP
#define ASYNCJOBS_TEST_PROCESS_HOSTILE_WORKER_HPP

namespace hostile {

enum mode : int {
    garbage = 1,             ///< bytes that are no frame, then it waits
    truncated_exit = 2,      ///< the first 26 bytes of a result frame, then _exit(0)
    huge_length = 3,         ///< a result header announcing a 0xFFFFFFFF-byte payload
    unknown_id = 4,          ///< a well-formed result for a task id it was never given
    call_frame = 5,          ///< a call frame, which only a parent sends
    second_hello = 6,        ///< hello again
    undecodable_result = 7,  ///< a result frame whose payload is not an int (3 bytes)
    partial_hang = 8,        ///< 10 bytes of a frame header, then it hangs
    undecodable_failure = 9, ///< a failure frame whose payload is no encoded exception
    huge_string = 10,        ///< (misbehave_text) a result announcing a 2 GiB string in 11 bytes
    unknown_kind = 11,       ///< a header of frame kind 0x42
    unheld_shared = 12,      ///< a `shared` frame announcing a 1 TiB reply in its shared region
};

} // namespace hostile

#endif
