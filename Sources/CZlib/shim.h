// zlib, for HdrHistogram's compressed encoding in summary.json.
#include <zlib.h>
