// Copyright (c) 2026 The asyncjobs authors. Distributed under the Boost Software License 1.0.
#include "mpi_transport.hpp"
#include "mpi_runtime.hpp"

#include <mpi.h>

#include <climits>
#include <stdexcept>
#include <utility>

namespace asyncjobs::detail {

namespace {

MPI_Request* as_request(void* p) { return static_cast<MPI_Request*>(p); }

} // namespace

mpi_transport::~mpi_transport()
{
    for (auto& s : sends_) {
        MPI_Request* r = as_request(s.request);
        int done = 0;
        MPI_Test(r, &done, MPI_STATUS_IGNORE);
        if (!done) {
            MPI_Cancel(r);
            MPI_Request_free(r);
        }
        delete r;
    }
}

std::optional<mpi_transport::message> mpi_transport::poll()
{
    MPI_Comm comm = mpi_runtime::instance().comm();
    int flag = 0;
    MPI_Status status;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, comm, &flag, &status);
    if (!flag)
        return std::nullopt;
    int count = 0;
    MPI_Get_count(&status, MPI_BYTE, &count);
    message m;
    m.source = status.MPI_SOURCE;
    m.tag = status.MPI_TAG;
    m.bytes.resize(static_cast<std::size_t>(count));
    // The message is there (probed): this receive returns at once.
    MPI_Recv(m.bytes.data(), count, MPI_BYTE, status.MPI_SOURCE, status.MPI_TAG, comm, MPI_STATUS_IGNORE);
    return m;
}

void mpi_transport::send(int destination, int tag, std::string bytes)
{
    if (bytes.size() > static_cast<std::size_t>(INT_MAX))
        throw std::length_error("asyncjobs: mpi_executor: a message of " + std::to_string(bytes.size()) +
                                " bytes is larger than MPI can send at once (2 GiB); send smaller arguments");
    auto& s = sends_.emplace_back(pending_send{std::move(bytes), new MPI_Request(MPI_REQUEST_NULL)});
    MPI_Isend(s.bytes.data(), static_cast<int>(s.bytes.size()), MPI_BYTE, destination, tag,
              mpi_runtime::instance().comm(), as_request(s.request));
}

bool mpi_transport::flush()
{
    for (auto it = sends_.begin(); it != sends_.end();) {
        int done = 0;
        MPI_Test(as_request(it->request), &done, MPI_STATUS_IGNORE);
        if (done) {
            delete as_request(it->request);
            it = sends_.erase(it);
        } else {
            ++it;
        }
    }
    return sends_.empty();
}

} // namespace asyncjobs::detail
