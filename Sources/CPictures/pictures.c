// Reading, shrinking and writing the shop's uploaded pictures with libjpeg(-turbo) and libpng.
// libjpeg reports errors by calling `error_exit`; here it jumps back to the caller, so a broken
// upload is an error returned, never an exit of the process.
//
// The libraries are opened when first needed (dlopen), not linked: a machine without them still
// builds and runs the shop, which then serves pictures as uploaded (`gm_pictures_available`
// says 0). Their headers are needed at build time for their types; without them, the same.
#include "CPictures.h"

#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if __has_include(<jpeglib.h>) && __has_include(<png.h>) && __has_include(<dlfcn.h>)
#define GM_PICTURES 1
#include <dlfcn.h>
#include <pthread.h>

#include <jpeglib.h>
#include <png.h>

// The functions used, from the libraries the headers describe.
static struct {
    struct jpeg_error_mgr *(*jpeg_std_error)(struct jpeg_error_mgr *);
    void (*jpeg_CreateDecompress)(j_decompress_ptr, int, size_t);
    void (*jpeg_mem_src)(j_decompress_ptr, const unsigned char *, unsigned long);
    void (*jpeg_save_markers)(j_decompress_ptr, int, unsigned int);
    int (*jpeg_read_header)(j_decompress_ptr, boolean);
    boolean (*jpeg_start_decompress)(j_decompress_ptr);
    JDIMENSION (*jpeg_read_scanlines)(j_decompress_ptr, JSAMPARRAY, JDIMENSION);
    boolean (*jpeg_finish_decompress)(j_decompress_ptr);
    void (*jpeg_destroy_decompress)(j_decompress_ptr);
    void (*jpeg_CreateCompress)(j_compress_ptr, int, size_t);
    void (*jpeg_mem_dest)(j_compress_ptr, unsigned char **, unsigned long *);
    void (*jpeg_set_defaults)(j_compress_ptr);
    void (*jpeg_set_quality)(j_compress_ptr, int, boolean);
    void (*jpeg_start_compress)(j_compress_ptr, boolean);
    JDIMENSION (*jpeg_write_scanlines)(j_compress_ptr, JSAMPARRAY, JDIMENSION);
    void (*jpeg_finish_compress)(j_compress_ptr);
    void (*jpeg_destroy_compress)(j_compress_ptr);
    int (*png_image_begin_read_from_memory)(png_imagep, png_const_voidp, size_t);
    int (*png_image_finish_read)(png_imagep, png_const_colorp, void *, png_int_32, void *);
    void (*png_image_free)(png_imagep);
    int (*png_image_write_to_memory)(png_imagep, void *, png_alloc_size_t *, int, const void *, png_int_32, const void *);
} lib;
static int opened;
static pthread_once_t opening = PTHREAD_ONCE_INIT;

#define GM_STRING(x) #x
#define GM_SONAME(prefix, version) prefix GM_STRING(version)

static void open_libraries(void) {
#if JPEG_LIB_VERSION >= 80
    void *jpeg = dlopen(GM_SONAME("libjpeg.so.", JPEG_LIB_VERSION_MAJOR), RTLD_NOW | RTLD_LOCAL);
#else
    void *jpeg = dlopen("libjpeg.so.62", RTLD_NOW | RTLD_LOCAL);
#endif
    void *png = dlopen(GM_SONAME("libpng16.so.", PNG_LIBPNG_VER_SONUM), RTLD_NOW | RTLD_LOCAL);
    if (!jpeg || !png) return;
#define FIND(handle, name) if (!(*(void **)&lib.name = dlsym(handle, #name))) return;
    FIND(jpeg, jpeg_std_error)
    FIND(jpeg, jpeg_CreateDecompress)
    FIND(jpeg, jpeg_mem_src)
    FIND(jpeg, jpeg_save_markers)
    FIND(jpeg, jpeg_read_header)
    FIND(jpeg, jpeg_start_decompress)
    FIND(jpeg, jpeg_read_scanlines)
    FIND(jpeg, jpeg_finish_decompress)
    FIND(jpeg, jpeg_destroy_decompress)
    FIND(jpeg, jpeg_CreateCompress)
    FIND(jpeg, jpeg_mem_dest)
    FIND(jpeg, jpeg_set_defaults)
    FIND(jpeg, jpeg_set_quality)
    FIND(jpeg, jpeg_start_compress)
    FIND(jpeg, jpeg_write_scanlines)
    FIND(jpeg, jpeg_finish_compress)
    FIND(jpeg, jpeg_destroy_compress)
    FIND(png, png_image_begin_read_from_memory)
    FIND(png, png_image_finish_read)
    FIND(png, png_image_free)
    FIND(png, png_image_write_to_memory)
#undef FIND
    opened = 1;
}

int gm_pictures_available(void) {
    pthread_once(&opening, open_libraries);
    return opened;
}
#else
int gm_pictures_available(void) { return 0; }
#endif

void gm_free(void *pointer) { free(pointer); }

static void say(char *error, size_t size, const char *message) {
    if (error && size > 0) snprintf(error, size, "%s", message);
}

#ifdef GM_PICTURES
// MARK: - JPEG

typedef struct {
    struct jpeg_error_mgr manager;
    jmp_buf jump;
    char message[JMSG_LENGTH_MAX];
} jpeg_error;

static void jpeg_fail(j_common_ptr info) {
    jpeg_error *error = (jpeg_error *)info->err;
    (*info->err->format_message)(info, error->message);
    longjmp(error->jump, 1);
}

static void jpeg_quiet(j_common_ptr info, int level) {
    (void)info;
    (void)level;
}

// libjpeg's error manager, set to jump back instead of exiting and to keep warnings quiet.
static struct jpeg_error_mgr *jpeg_errors(jpeg_error *error) {
    struct jpeg_error_mgr *manager = lib.jpeg_std_error(&error->manager);
    manager->error_exit = jpeg_fail;
    manager->emit_message = jpeg_quiet;
    return manager;
}

// The EXIF orientation (1 to 8; 1 when there is none) in a JPEG's APP1 segment: how a camera
// says its picture must be turned. Browsers turn the original; the copies are turned here.
static int exif_orientation(j_decompress_ptr info) {
    for (jpeg_saved_marker_ptr marker = info->marker_list; marker; marker = marker->next) {
        if (marker->marker != JPEG_APP0 + 1 || marker->data_length < 14 || memcmp(marker->data, "Exif\0\0", 6) != 0) continue;
        const uint8_t *tiff = marker->data + 6;
        size_t length = marker->data_length - 6;
        int little = tiff[0] == 'I' && tiff[1] == 'I';
        if (!little && !(tiff[0] == 'M' && tiff[1] == 'M')) return 1;
#define U16(p) (little ? (unsigned)(p)[0] | (unsigned)(p)[1] << 8 : (unsigned)(p)[0] << 8 | (unsigned)(p)[1])
        uint32_t directory = little ? (uint32_t)tiff[4] | (uint32_t)tiff[5] << 8 | (uint32_t)tiff[6] << 16 | (uint32_t)tiff[7] << 24
                                    : (uint32_t)tiff[4] << 24 | (uint32_t)tiff[5] << 16 | (uint32_t)tiff[6] << 8 | (uint32_t)tiff[7];
        if ((size_t)directory + 2 > length) return 1;
        unsigned count = U16(tiff + directory);
        for (unsigned i = 0; i < count; i++) {
            size_t entry = (size_t)directory + 2 + 12 * (size_t)i;
            if (entry + 12 > length) return 1;
            if (U16(tiff + entry) == 0x0112) {
                unsigned value = U16(tiff + entry + 8);
                return value >= 1 && value <= 8 ? (int)value : 1;
            }
        }
#undef U16
        return 1;
    }
    return 1;
}

// The picture turned as `orientation` says (5 to 8 swap width and height); 0, or -1 when memory
// ran out.
static int orient(gm_picture *picture, int orientation) {
    if (orientation <= 1) return 0;
    int32_t width = picture->width, height = picture->height;
    int swaps = orientation >= 5;
    int32_t new_width = swaps ? height : width, new_height = swaps ? width : height;
    uint32_t *turned = malloc((size_t)width * (size_t)height * 4);
    if (!turned) return -1;
    const uint32_t *source = (const uint32_t *)picture->pixels;
    for (int32_t y = 0; y < new_height; y++) {
        for (int32_t x = 0; x < new_width; x++) {
            int32_t from_x, from_y;
            switch (orientation) {
            case 2: from_x = width - 1 - x; from_y = y; break;
            case 3: from_x = width - 1 - x; from_y = height - 1 - y; break;
            case 4: from_x = x; from_y = height - 1 - y; break;
            case 5: from_x = y; from_y = x; break;
            case 6: from_x = y; from_y = height - 1 - x; break;
            case 7: from_x = width - 1 - y; from_y = height - 1 - x; break;
            default: from_x = width - 1 - y; from_y = x; break;
            }
            turned[(size_t)y * (size_t)new_width + (size_t)x] = source[(size_t)from_y * (size_t)width + (size_t)from_x];
        }
    }
    free(picture->pixels);
    picture->pixels = (uint8_t *)turned;
    picture->width = new_width;
    picture->height = new_height;
    return 0;
}

static int jpeg_decode(const uint8_t *bytes, size_t length, int32_t least_width, int header_only,
                       gm_picture *out, char *error_text, size_t error_size) {
    struct jpeg_decompress_struct info;
    jpeg_error error;
    uint8_t *volatile pixels = NULL;
    memset(&info, 0, sizeof info);
    info.err = jpeg_errors(&error);
    if (setjmp(error.jump)) {
        say(error_text, error_size, error.message);
        lib.jpeg_destroy_decompress(&info);
        free(pixels);
        return -1;
    }
    lib.jpeg_CreateDecompress(&info, JPEG_LIB_VERSION, sizeof info);
    lib.jpeg_mem_src(&info, bytes, (unsigned long)length);
    lib.jpeg_save_markers(&info, JPEG_APP0 + 1, 0xFFFF);
    lib.jpeg_read_header(&info, TRUE);
    int orientation = exif_orientation(&info);
    // Width and height as the picture is shown, turned.
    JDIMENSION shown_width = orientation >= 5 ? info.image_height : info.image_width;
    out->width = (int32_t)shown_width;
    out->height = (int32_t)(orientation >= 5 ? info.image_width : info.image_height);
    out->pixels = NULL;
    if (header_only) {
        lib.jpeg_destroy_decompress(&info);
        return 0;
    }
    if (info.jpeg_color_space == JCS_CMYK || info.jpeg_color_space == JCS_YCCK) {
        say(error_text, error_size, "CMYK JPEGs are not supported");
        lib.jpeg_destroy_decompress(&info);
        return -1;
    }
    info.out_color_space = JCS_EXT_RGBA;
    info.scale_num = 1;
    info.scale_denom = 1;
    for (unsigned denom = 8; denom > 1; denom /= 2) {
        if ((int64_t)(shown_width + denom - 1) / denom >= least_width) {
            info.scale_denom = denom;
            break;
        }
    }
    lib.jpeg_start_decompress(&info);
    size_t stride = (size_t)info.output_width * 4;
    pixels = malloc(stride * info.output_height);
    if (!pixels) {
        say(error_text, error_size, "out of memory");
        lib.jpeg_destroy_decompress(&info);
        return -1;
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + stride * info.output_scanline;
        lib.jpeg_read_scanlines(&info, &row, 1);
    }
    lib.jpeg_finish_decompress(&info);
    out->pixels = pixels;
    out->width = (int32_t)info.output_width;
    out->height = (int32_t)info.output_height;
    lib.jpeg_destroy_decompress(&info);
    if (orient(out, orientation) != 0) {
        say(error_text, error_size, "out of memory");
        free(out->pixels);
        out->pixels = NULL;
        return -1;
    }
    return 0;
}

static int jpeg_encode(const gm_picture *picture, int quality, uint8_t **bytes, size_t *length, char *error_text, size_t error_size) {
    struct jpeg_compress_struct info;
    jpeg_error error;
    unsigned char *volatile buffer = NULL;
    unsigned long size = 0;
    uint8_t *volatile row = NULL;
    memset(&info, 0, sizeof info);
    info.err = jpeg_errors(&error);
    if (setjmp(error.jump)) {
        say(error_text, error_size, error.message);
        lib.jpeg_destroy_compress(&info);
        free(buffer);
        free(row);
        return -1;
    }
    lib.jpeg_CreateCompress(&info, JPEG_LIB_VERSION, sizeof info);
    lib.jpeg_mem_dest(&info, (unsigned char **)&buffer, &size);
    info.image_width = (JDIMENSION)picture->width;
    info.image_height = (JDIMENSION)picture->height;
    info.input_components = 3;
    info.in_color_space = JCS_RGB;
    lib.jpeg_set_defaults(&info);
    lib.jpeg_set_quality(&info, quality, TRUE);
    info.optimize_coding = TRUE;
    lib.jpeg_start_compress(&info, TRUE);
    row = malloc((size_t)picture->width * 3);
    if (!row) {
        say(error_text, error_size, "out of memory");
        lib.jpeg_destroy_compress(&info);
        free(buffer);
        return -1;
    }
    while (info.next_scanline < info.image_height) {
        const uint8_t *source = picture->pixels + (size_t)info.next_scanline * (size_t)picture->width * 4;
        for (int32_t x = 0; x < picture->width; x++) {
            // Transparent parts on white, as the shop's pages show them.
            unsigned alpha = source[x * 4 + 3];
            for (int c = 0; c < 3; c++) row[x * 3 + c] = (uint8_t)((source[x * 4 + c] * alpha + 255 * (255 - alpha) + 127) / 255);
        }
        JSAMPROW rows = row;
        lib.jpeg_write_scanlines(&info, &rows, 1);
    }
    lib.jpeg_finish_compress(&info);
    lib.jpeg_destroy_compress(&info);
    free(row);
    *bytes = buffer;
    *length = size;
    return 0;
}

// MARK: - PNG

static int png_decode(const uint8_t *bytes, size_t length, int header_only, gm_picture *out, char *error_text,
                      size_t error_size) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    if (!lib.png_image_begin_read_from_memory(&image, bytes, length)) {
        say(error_text, error_size, image.message);
        lib.png_image_free(&image);
        return -1;
    }
    out->width = (int32_t)image.width;
    out->height = (int32_t)image.height;
    out->pixels = NULL;
    if (header_only) {
        lib.png_image_free(&image);
        return 0;
    }
    image.format = PNG_FORMAT_RGBA;
    uint8_t *pixels = malloc(PNG_IMAGE_SIZE(image));
    if (!pixels) {
        say(error_text, error_size, "out of memory");
        lib.png_image_free(&image);
        return -1;
    }
    if (!lib.png_image_finish_read(&image, NULL, pixels, 0, NULL)) {
        say(error_text, error_size, image.message);
        lib.png_image_free(&image);
        free(pixels);
        return -1;
    }
    out->pixels = pixels;
    return 0;
}

static int png_encode(const gm_picture *picture, uint8_t **bytes, size_t *length, char *error_text, size_t error_size) {
    png_image image;
    memset(&image, 0, sizeof image);
    image.version = PNG_IMAGE_VERSION;
    image.width = (png_uint_32)picture->width;
    image.height = (png_uint_32)picture->height;
    image.format = PNG_FORMAT_RGBA;
    size_t count = (size_t)picture->width * (size_t)picture->height;
    int opaque = 1;
    for (size_t i = 0; i < count && opaque; i++) opaque = picture->pixels[i * 4 + 3] == 255;
    const uint8_t *pixels = picture->pixels;
    uint8_t *rgb = NULL;
    if (opaque) {
        rgb = malloc(count * 3);
        if (!rgb) {
            say(error_text, error_size, "out of memory");
            return -1;
        }
        for (size_t i = 0; i < count; i++) memcpy(rgb + i * 3, picture->pixels + i * 4, 3);
        image.format = PNG_FORMAT_RGB;
        pixels = rgb;
    }
    png_alloc_size_t size = 0;
    if (!lib.png_image_write_to_memory(&image, NULL, &size, 0, pixels, 0, NULL)) {
        say(error_text, error_size, image.message);
        free(rgb);
        return -1;
    }
    uint8_t *buffer = malloc(size);
    if (!buffer || !lib.png_image_write_to_memory(&image, buffer, &size, 0, pixels, 0, NULL)) {
        say(error_text, error_size, buffer ? image.message : "out of memory");
        free(buffer);
        free(rgb);
        return -1;
    }
    free(rgb);
    *bytes = buffer;
    *length = size;
    return 0;
}

// MARK: - Both

int gm_picture_size(gm_picture_kind kind, const uint8_t *bytes, size_t length, int32_t *width, int32_t *height) {
    if (!gm_pictures_available()) return -1;
    gm_picture picture;
    int result = kind == GM_PICTURE_JPEG ? jpeg_decode(bytes, length, 0, 1, &picture, NULL, 0) : png_decode(bytes, length, 1, &picture, NULL, 0);
    if (result == 0) {
        *width = picture.width;
        *height = picture.height;
    }
    return result;
}

int gm_picture_decode(gm_picture_kind kind, const uint8_t *bytes, size_t length, int32_t least_width, int64_t max_pixels,
                      gm_picture *out, char *error, size_t error_size) {
    if (!gm_pictures_available()) {
        say(error, error_size, "libjpeg and libpng are not installed");
        return -1;
    }
    int32_t width = 0, height = 0;
    if (gm_picture_size(kind, bytes, length, &width, &height) != 0) {
        say(error, error_size, "its header is broken");
        return -1;
    }
    if ((int64_t)width * (int64_t)height > max_pixels) {
        say(error, error_size, "the picture has too many pixels");
        return -1;
    }
    return kind == GM_PICTURE_JPEG ? jpeg_decode(bytes, length, least_width, 0, out, error, error_size)
                                   : png_decode(bytes, length, 0, out, error, error_size);
}

int gm_picture_encode(gm_picture_kind kind, const gm_picture *picture, int quality, uint8_t **bytes, size_t *length, char *error,
                      size_t error_size) {
    if (!gm_pictures_available()) {
        say(error, error_size, "libjpeg and libpng are not installed");
        return -1;
    }
    return kind == GM_PICTURE_JPEG ? jpeg_encode(picture, quality, bytes, length, error, error_size)
                                   : png_encode(picture, bytes, length, error, error_size);
}

#else
int gm_picture_size(gm_picture_kind kind, const uint8_t *bytes, size_t length, int32_t *width, int32_t *height) {
    (void)kind, (void)bytes, (void)length, (void)width, (void)height;
    return -1;
}

int gm_picture_decode(gm_picture_kind kind, const uint8_t *bytes, size_t length, int32_t least_width, int64_t max_pixels,
                      gm_picture *out, char *error, size_t error_size) {
    (void)kind, (void)bytes, (void)length, (void)least_width, (void)max_pixels, (void)out;
    say(error, error_size, "this build has no libjpeg and libpng");
    return -1;
}

int gm_picture_encode(gm_picture_kind kind, const gm_picture *picture, int quality, uint8_t **bytes, size_t *length, char *error,
                      size_t error_size) {
    (void)kind, (void)picture, (void)quality, (void)bytes, (void)length;
    say(error, error_size, "this build has no libjpeg and libpng");
    return -1;
}
#endif

// MARK: - Shrinking

// One axis of an area-averaging shrink: for each new pixel, the old pixels it covers and how
// much of each (in 1/65536ths of the new pixel; each new pixel's weights add up to 65536).
typedef struct {
    int32_t first;
    int32_t count;
    int32_t weights_at;
} span;

static int spans(int32_t from, int32_t to, span **out, uint32_t **weights_out) {
    // Each new pixel covers from/to old pixels; in units of 1/to of an old pixel it runs from
    // i*from to (i+1)*from.
    span *list = malloc(sizeof(span) * (size_t)to);
    uint32_t *weights = malloc(sizeof(uint32_t) * ((size_t)to * ((size_t)(from / to) + 2)));
    if (!list || !weights) {
        free(list);
        free(weights);
        return -1;
    }
    int32_t at = 0;
    for (int32_t i = 0; i < to; i++) {
        int64_t start = (int64_t)i * from, end = (int64_t)(i + 1) * from;
        int32_t first = (int32_t)(start / to), last = (int32_t)((end - 1) / to);
        list[i].first = first;
        list[i].count = last - first + 1;
        list[i].weights_at = at;
        uint32_t given = 0;
        for (int32_t j = first; j <= last; j++) {
            int64_t lo = (int64_t)j * to > start ? (int64_t)j * to : start;
            int64_t hi = (int64_t)(j + 1) * to < end ? (int64_t)(j + 1) * to : end;
            uint32_t weight = j == last ? 65536 - given : (uint32_t)(((hi - lo) * 65536) / from);
            weights[at++] = weight;
            given += weight;
        }
    }
    *out = list;
    *weights_out = weights;
    return 0;
}

int gm_picture_shrink(const gm_picture *source, int32_t width, gm_picture *out) {
    if (width <= 0 || width >= source->width) return -1;
    int32_t height = (int32_t)(((int64_t)source->height * width + source->width / 2) / source->width);
    if (height < 1) height = 1;
    if (height > source->height) height = source->height;
    span *columns = NULL, *rows = NULL;
    uint32_t *column_weights = NULL, *row_weights = NULL;
    // Colours are weighted by opacity (premultiplied) while averaging, so a transparent pixel's
    // colour does not bleed into its neighbours. An old row's pixels shrunk across are sums in
    // 1/65536ths (at most 65536 * 255 * 255, which fits 32 bits); `down` adds up a new row's.
    uint64_t *down = malloc(sizeof(uint64_t) * 4 * (size_t)width);
    uint8_t *pixels = malloc((size_t)width * (size_t)height * 4);
    if (!down || !pixels || spans(source->width, width, &columns, &column_weights) != 0 ||
        spans(source->height, height, &rows, &row_weights) != 0) {
        free(down);
        free(pixels);
        free(columns);
        free(column_weights);
        free(rows);
        free(row_weights);
        return -1;
    }
    for (int32_t y = 0; y < height; y++) {
        memset(down, 0, sizeof(uint64_t) * 4 * (size_t)width);
        for (int32_t k = 0; k < rows[y].count; k++) {
            const uint8_t *line = source->pixels + (size_t)(rows[y].first + k) * (size_t)source->width * 4;
            uint64_t row_weight = row_weights[rows[y].weights_at + k];
            for (int32_t x = 0; x < width; x++) {
                uint32_t sum[4] = {0, 0, 0, 0};
                for (int32_t j = 0; j < columns[x].count; j++) {
                    const uint8_t *pixel = line + (size_t)(columns[x].first + j) * 4;
                    uint32_t weight = column_weights[columns[x].weights_at + j];
                    uint32_t alpha = pixel[3];
                    for (int c = 0; c < 3; c++) sum[c] += weight * ((uint32_t)pixel[c] * alpha);
                    sum[3] += weight * alpha * 255;
                }
                for (int c = 0; c < 4; c++) down[(size_t)x * 4 + (size_t)c] += row_weight * sum[c];
            }
        }
        for (int32_t x = 0; x < width; x++) {
            // Sums in 1/65536ths twice over, colours times alpha and alpha times 255.
            const uint64_t *sum = down + (size_t)x * 4;
            uint8_t *pixel = pixels + ((size_t)y * (size_t)width + (size_t)x) * 4;
            const uint64_t unit = (uint64_t)65536 * 65536 * 255;
            pixel[3] = (uint8_t)((sum[3] + unit / 2) / unit);
            for (int c = 0; c < 3; c++) pixel[c] = sum[3] == 0 ? 0 : (uint8_t)((sum[c] * 255 + sum[3] / 2) / sum[3]);
        }
    }
    free(down);
    free(columns);
    free(column_weights);
    free(rows);
    free(row_weights);
    out->pixels = pixels;
    out->width = width;
    out->height = height;
    return 0;
}
