#ifndef CLUSTERDNS_CDATAGRAM_H
#define CLUSTERDNS_CDATAGRAM_H
// Batched datagram I/O and an event counter for the UDP workers. recvmmsg, sendmmsg and
// eventfd are GNU extensions that Swift's Glibc module does not export (it is built without
// _GNU_SOURCE), so they are wrapped here, where the .c file defines it.
#include <sys/socket.h>

/// struct mmsghdr, laid out alike (checked in the .c file).
struct cdns_mmsghdr {
    struct msghdr msg_hdr;
    unsigned int msg_len;
};

int cdns_recvmmsg(int fd, struct cdns_mmsghdr *messages, unsigned int count, int flags);
int cdns_sendmmsg(int fd, struct cdns_mmsghdr *messages, unsigned int count, int flags);
/// A non-blocking, close-on-exec eventfd, or -1 with errno.
int cdns_eventfd(void);
#endif
