/* The floor Stampede is measured against: the smallest libcurl multi-handle loop that keeps
 * N transfers of one URL going for D seconds (perform, read completions, re-add, poll), with
 * no metrics at all. Prints the number of completed requests.
 *
 *   curl_loop URL N SECONDS [--threads T] [--http2 STREAMS] [--stampede-options]
 *
 * --threads T        T threads, each its own multi handle with N transfers.
 * --http2 STREAMS    HTTP/2 over TLS (certificate not verified), N transfers multiplexed
 *                    on connections of up to STREAMS streams each (as h2load -m).
 * --stampede-options the libcurl options Stampede sets by default (cookie engine, decoding,
 *                    its User-Agent header, no Accept-Encoding, timeout, redirects): what
 *                    the same request costs in libcurl alone.
 * Build: cc -O2 bench/curl_loop.c -lcurl -lpthread -o curl_loop */
#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *url;
static int transfers, streams, stampede_options;
static double end_time;

static size_t discard(char *data, size_t size, size_t count, void *user) {
    (void)data; (void)user;
    return size * count;
}

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static CURL *new_transfer(struct curl_slist *headers) {
    CURL *easy = curl_easy_init();
    curl_easy_setopt(easy, CURLOPT_URL, url);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    if (streams) {
        curl_easy_setopt(easy, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
        curl_easy_setopt(easy, CURLOPT_PIPEWAIT, 1L);
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, 0L);
    }
    if (stampede_options) {
        curl_easy_setopt(easy, CURLOPT_COOKIEFILE, "");
        curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");
        curl_easy_setopt(easy, CURLOPT_HTTPHEADER, headers);
        curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, 60000L);
        curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
        curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 10L);
    }
    return easy;
}

static void *loop(void *result) {
    struct curl_slist *headers = curl_slist_append(NULL, "User-Agent: stampede");
    headers = curl_slist_append(headers, "Accept-Encoding:");
    CURLM *multi = curl_multi_init();
    if (streams) {
        curl_multi_setopt(multi, CURLMOPT_MAX_CONCURRENT_STREAMS, (long)streams);
        curl_multi_setopt(multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)((transfers + streams - 1) / streams));
    }
    for (int i = 0; i < transfers; i++) curl_multi_add_handle(multi, new_transfer(headers));
    long done = 0;
    int running = 0;
    while (now() < end_time) {
        curl_multi_perform(multi, &running);
        CURLMsg *msg;
        int queued;
        while ((msg = curl_multi_info_read(multi, &queued))) {
            if (msg->msg != CURLMSG_DONE) continue;
            CURL *easy = msg->easy_handle;
            if (msg->data.result == CURLE_OK) done++;
            curl_multi_remove_handle(multi, easy);
            curl_multi_add_handle(multi, easy);
        }
        curl_multi_poll(multi, NULL, 0, 100, NULL);
    }
    *(long *)result = done;
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: curl_loop URL N SECONDS [--threads T] [--http2 STREAMS] [--stampede-options]\n");
        return 2;
    }
    url = argv[1];
    transfers = atoi(argv[2]);
    int threads = 1;
    for (int i = 4; i < argc; i++) {
        if (!strcmp(argv[i], "--threads") && i + 1 < argc) threads = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--http2") && i + 1 < argc) streams = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--stampede-options")) stampede_options = 1;
        else { fprintf(stderr, "curl_loop: unknown option %s\n", argv[i]); return 2; }
    }
    if (threads < 1 || threads > 64) { fprintf(stderr, "curl_loop: --threads must be 1...64\n"); return 2; }
    curl_global_init(CURL_GLOBAL_ALL);
    end_time = now() + atof(argv[3]);
    pthread_t ids[64];
    long counts[64];
    for (int t = 0; t < threads; t++) pthread_create(&ids[t], NULL, loop, &counts[t]);
    long total = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(ids[t], NULL);
        total += counts[t];
    }
    printf("%ld\n", total);
    return 0;
}
