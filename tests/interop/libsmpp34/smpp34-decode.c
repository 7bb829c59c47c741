/*
 * libsmpp34 (Osmocom, Debian libsmpp34-dev) as an independent SMPP 3.4 codec for the C# interop tests.
 *
 * One request per stdin line, one answer per stdout line:
 *   <hex of one whole PDU>
 *       -> OK <command_name> command_length=.. command_id=.. command_status=.. sequence_number=.. field=value ...
 *       -> ERR <why libsmpp34 refused it>
 *   PACK <command_name> field=value ...
 *       -> OK <hex of the PDU smpp34_pack produced>
 *       -> ERR <why>
 *
 * Values: integers in decimal; C-Octet Strings with every byte outside 0x21..0x7E and '%', '=', ':' written as
 * %XX; short_message and octet-string TLVs in lowercase hex. TLVs are "tlv.0xTTTT=value", in wire order, an
 * integer when libsmpp34 types that tag as one for that PDU, hex otherwise (when packing, "#hex" gives the value
 * octets whatever libsmpp34's type for the tag). submit_multi destinations are
 * "dest_address=ton:npi:addr" or "dl_name=name", submit_multi_resp failures "unsuccess_sme=ton:npi:addr:status"
 * (number_of_dests / no_unsuccess follow from them when packing).
 *
 * The field list of every PDU is libsmpp34's own: its def_frame/ X-macro files are expanded here with printing
 * and setting macros, exactly as the library expands them for smpp34_pack/smpp34_unpack/smpp34_dumpPdu.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <smpp34.h>
#include <smpp34_structs.h>
#include <smpp34_params.h>

#define MAX_PDU 70000

static const struct { const char *name; uint32_t id; } COMMANDS[] = {
    {"generic_nack", GENERIC_NACK},
    {"bind_receiver", BIND_RECEIVER}, {"bind_receiver_resp", BIND_RECEIVER_RESP},
    {"bind_transmitter", BIND_TRANSMITTER}, {"bind_transmitter_resp", BIND_TRANSMITTER_RESP},
    {"query_sm", QUERY_SM}, {"query_sm_resp", QUERY_SM_RESP},
    {"submit_sm", SUBMIT_SM}, {"submit_sm_resp", SUBMIT_SM_RESP},
    {"deliver_sm", DELIVER_SM}, {"deliver_sm_resp", DELIVER_SM_RESP},
    {"unbind", UNBIND}, {"unbind_resp", UNBIND_RESP},
    {"replace_sm", REPLACE_SM}, {"replace_sm_resp", REPLACE_SM_RESP},
    {"cancel_sm", CANCEL_SM}, {"cancel_sm_resp", CANCEL_SM_RESP},
    {"bind_transceiver", BIND_TRANSCEIVER}, {"bind_transceiver_resp", BIND_TRANSCEIVER_RESP},
    {"outbind", OUTBIND},
    {"enquire_link", ENQUIRE_LINK}, {"enquire_link_resp", ENQUIRE_LINK_RESP},
    {"submit_multi", SUBMIT_MULTI}, {"submit_multi_resp", SUBMIT_MULTI_RESP},
    {"alert_notification", ALERT_NOTIFICATION},
    {"data_sm", DATA_SM}, {"data_sm_resp", DATA_SM_RESP},
};

static const char *command_name(uint32_t id) {
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (COMMANDS[i].id == id) return COMMANDS[i].name;
    return NULL;
}

static int command_id(const char *name, uint32_t *id) {
    for (size_t i = 0; i < sizeof COMMANDS / sizeof COMMANDS[0]; i++)
        if (strcmp(COMMANDS[i].name, name) == 0) { *id = COMMANDS[i].id; return 1; }
    return 0;
}

union any_pdu {
    bind_transmitter_t a; bind_transmitter_resp_t b; bind_receiver_t c; bind_receiver_resp_t d;
    bind_transceiver_t e; bind_transceiver_resp_t f; outbind_t g; unbind_t h; unbind_resp_t i;
    generic_nack_t j; submit_sm_t k; submit_sm_resp_t l; submit_multi_t m; submit_multi_resp_t n;
    deliver_sm_t o; deliver_sm_resp_t p; data_sm_t q; data_sm_resp_t r; query_sm_t s; query_sm_resp_t t;
    cancel_sm_t u; cancel_sm_resp_t v; replace_sm_t w; replace_sm_resp_t x; enquire_link_t y;
    enquire_link_resp_t z; alert_notification_t an;
};

/* ---- what the field macros do: print a decoded struct, set one key=value, or free the lists ---- */
enum mode { M_PRINT, M_SET, M_FREE };
static enum mode g_mode;
static FILE *g_out;              /* M_PRINT: where fields go */
static const char *g_key;        /* M_SET: the field being set */
static const char *g_val;
static int g_matched;
static char g_error[256];
static tlv_t *g_tlv;             /* the TLV being printed or set, NULL outside TLVs */

static void fail(const char *fmt, const char *a, const char *b) {
    if (!g_error[0]) snprintf(g_error, sizeof g_error, fmt, a, b);
}

static void put_escaped(FILE *out, const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n; i++) {
        uint8_t c = s[i];
        if (c < 0x21 || c > 0x7e || c == '%' || c == '=' || c == ':') fprintf(out, "%%%02X", c);
        else fputc(c, out);
    }
}

static void put_hex(FILE *out, const uint8_t *s, size_t n) {
    for (size_t i = 0; i < n; i++) fprintf(out, "%02x", s[i]);
}

static int hexval(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    c = tolower(c);
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
}

/* Decodes hex into out (at most cap bytes); -1 when it is not hex or does not fit. */
static long unhex(const char *s, uint8_t *out, size_t cap) {
    size_t n = strlen(s);
    if (n % 2 || n / 2 > cap) return -1;
    for (size_t i = 0; i < n / 2; i++) {
        int h = hexval(s[2 * i]), l = hexval(s[2 * i + 1]);
        if (h < 0 || l < 0) return -1;
        out[i] = (uint8_t)(h << 4 | l);
    }
    return (long)(n / 2);
}

/* Undoes put_escaped into out (NUL-terminated, at most cap bytes with the NUL); -1 when too long. */
static long unescape(const char *s, char *out, size_t cap, char stop) {
    size_t n = 0;
    for (; *s && *s != stop; s++) {
        int c = (unsigned char)*s;
        if (c == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) { c = hexval(s[1]) << 4 | hexval(s[2]); s += 2; }
        if (n + 1 >= cap) return -1;
        out[n++] = (char)c;
    }
    out[n] = 0;
    return (long)n;
}

static int is_tlv_header(const char *name) { return strcmp(name, "tag") == 0 || strcmp(name, "length") == 0; }

static void num_field(const char *name, void *p, int width) {
    uint32_t v = width == 4 ? *(uint32_t *)p : width == 2 ? *(uint16_t *)p : *(uint8_t *)p;
    if (g_mode == M_PRINT) {
        if (!g_tlv) fprintf(g_out, " %s=%lu", name, (unsigned long)v);
        else if (!is_tlv_header(name)) fprintf(g_out, " tlv.0x%04X=%lu", g_tlv->tag, (unsigned long)v);
        return;
    }
    if (g_mode != M_SET) return;
    if (g_tlv) {
        if (is_tlv_header(name)) return;
        g_tlv->length = (uint16_t)width;
    } else if (strcmp(name, g_key) != 0) {
        return;
    }
    unsigned long parsed;
    if (g_tlv && g_val[0] == '#') {
        /* "#hex": the TLV's value octets, whatever type libsmpp34 gives the tag (big-endian when it is a number). */
        uint8_t raw[4];
        if (unhex(g_val + 1, raw, sizeof raw) != width) { fail("%s=%s does not have the octet count libsmpp34 expects", g_key, g_val); return; }
        parsed = 0;
        for (int i = 0; i < width; i++) parsed = parsed << 8 | raw[i];
    } else {
        char *end;
        parsed = strtoul(g_val, &end, 0);
        if (*end || (width < 4 && parsed >> (8 * width))) { fail("%s=%s is not a number that fits", name, g_val); return; }
    }
    if (width == 4) *(uint32_t *)p = (uint32_t)parsed;
    else if (width == 2) *(uint16_t *)p = (uint16_t)parsed;
    else *(uint8_t *)p = (uint8_t)parsed;
    g_matched = 1;
}

static void str_field(const char *name, uint8_t *p, size_t size) {
    if (g_mode == M_PRINT) {
        fprintf(g_out, " %s=", name);
        put_escaped(g_out, p, strnlen((const char *)p, size));
    } else if (g_mode == M_SET && strcmp(name, g_key) == 0) {
        if (unescape(g_val, (char *)p, size, 0) < 0) fail("%s=%s is longer than libsmpp34 allows", name, g_val);
        g_matched = 1;
    }
}

static void octet8_field(const char *name, uint8_t *p, size_t size, uint8_t *len) {
    if (g_mode == M_PRINT) {
        fprintf(g_out, " %s=", name);
        put_hex(g_out, p, *len);
    } else if (g_mode == M_SET && strcmp(name, g_key) == 0) {
        long n = unhex(g_val, p, size);
        if (n < 0) fail("%s=%s is not hex that fits", name, g_val);
        else *len = (uint8_t)n;
        g_matched = 1;
    }
}

static void octet16_field(uint8_t *p, size_t size, uint16_t *len) {
    if (g_mode == M_PRINT) {
        fprintf(g_out, " tlv.0x%04X=", g_tlv->tag);
        put_hex(g_out, p, *len);
    } else if (g_mode == M_SET) {
        long n = unhex(g_val[0] == '#' ? g_val + 1 : g_val, p, size);
        if (n < 0) fail("tlv %s=%s is not hex that fits", g_key, g_val);
        else *len = (uint16_t)n;
        g_matched = 1;
    }
}

/* unpack prepends list nodes (the list is in reverse wire order); pack walks them head first. */
#define WALK_TLVS(head, do_tlv) {\
    if (g_mode == M_PRINT) {\
        tlv_t *nodes[512]; int count = 0;\
        for (tlv_t *t = (head); t && count < 512; t = t->next) nodes[count++] = t;\
        while (count-- > 0) { g_tlv = nodes[count]; do_tlv(g_tlv); g_tlv = NULL; }\
    } else if (g_mode == M_SET && strncmp(g_key, "tlv.", 4) == 0) {\
        tlv_t *t = calloc(1, sizeof(tlv_t));\
        t->tag = (uint16_t)strtoul(g_key + 4, NULL, 0);\
        g_tlv = t; do_tlv(t); g_tlv = NULL;\
        tlv_t **tail = &(head); while (*tail) tail = &(*tail)->next; *tail = t;\
        g_matched = 1;\
    } else if (g_mode == M_FREE) {\
        destroy_tlv(head); (head) = NULL;\
    }\
}

#define WALK_DADS(head, count) {\
    if (g_mode == M_PRINT) {\
        dad_t *nodes[256]; int n = 0;\
        for (dad_t *d = (head); d && n < 256; d = d->next) nodes[n++] = d;\
        while (n-- > 0) {\
            dad_t *d = nodes[n];\
            if (d->dest_flag == DFID_SME_Address) {\
                fprintf(g_out, " dest_address=%u:%u:", d->value.sme.dest_addr_ton, d->value.sme.dest_addr_npi);\
                put_escaped(g_out, d->value.sme.destination_addr, strnlen((char *)d->value.sme.destination_addr, 21));\
            } else {\
                fprintf(g_out, " dl_name=");\
                put_escaped(g_out, d->value.dl_name, strnlen((char *)d->value.dl_name, 21));\
            }\
        }\
    } else if (g_mode == M_SET && (strcmp(g_key, "dest_address") == 0 || strcmp(g_key, "dl_name") == 0)) {\
        dad_t *d = calloc(1, sizeof(dad_t));\
        unsigned ton = 0, npi = 0; int used = 0;\
        if (g_key[1] == 'e') {\
            d->dest_flag = DFID_SME_Address;\
            if (sscanf(g_val, "%u:%u:%n", &ton, &npi, &used) < 2 || !used ||\
                unescape(g_val + used, (char *)d->value.sme.destination_addr, 21, 0) < 0)\
                fail("%s=%s is not ton:npi:addr", g_key, g_val);\
            d->value.sme.dest_addr_ton = (uint8_t)ton; d->value.sme.dest_addr_npi = (uint8_t)npi;\
        } else {\
            d->dest_flag = DFID_Distribution_List_Name;\
            if (unescape(g_val, (char *)d->value.dl_name, 21, 0) < 0) fail("%s=%s is too long", g_key, g_val);\
        }\
        dad_t **tail = &(head); while (*tail) tail = &(*tail)->next; *tail = d;\
        (count)++; g_matched = 1;\
    } else if (g_mode == M_FREE) {\
        destroy_dad(head); (head) = NULL;\
    }\
}

#define WALK_UDADS(head, count) {\
    if (g_mode == M_PRINT) {\
        udad_t *nodes[256]; int n = 0;\
        for (udad_t *u = (head); u && n < 256; u = u->next) nodes[n++] = u;\
        while (n-- > 0) {\
            udad_t *u = nodes[n];\
            fprintf(g_out, " unsuccess_sme=%u:%u:", u->dest_addr_ton, u->dest_addr_npi);\
            put_escaped(g_out, u->destination_addr, strnlen((char *)u->destination_addr, 21));\
            fprintf(g_out, ":%lu", (unsigned long)u->error_status_code);\
        }\
    } else if (g_mode == M_SET && strcmp(g_key, "unsuccess_sme") == 0) {\
        udad_t *u = calloc(1, sizeof(udad_t));\
        unsigned ton = 0, npi = 0; unsigned long status = 0; int used = 0;\
        const char *colon;\
        if (sscanf(g_val, "%u:%u:%n", &ton, &npi, &used) < 2 || !used || !(colon = strrchr(g_val, ':')) ||\
            unescape(g_val + used, (char *)u->destination_addr, 21, ':') < 0)\
            fail("%s=%s is not ton:npi:addr:status", g_key, g_val);\
        else status = strtoul(colon + 1, NULL, 0);\
        u->dest_addr_ton = (uint8_t)ton; u->dest_addr_npi = (uint8_t)npi; u->error_status_code = (uint32_t)status;\
        udad_t **tail = &(head); while (*tail) tail = &(*tail)->next; *tail = u;\
        (count)++; g_matched = 1;\
    } else if (g_mode == M_FREE) {\
        destroy_udad(head); (head) = NULL;\
    }\
}

#define U32(inst, par, _str) num_field(#par, &(inst par), 4);
#define U16(inst, par, _str) num_field(#par, &(inst par), 2);
#define U08(inst, par, _str) num_field(#par, &(inst par), 1);
#define C_OCTET(inst, par, size) str_field(#par, (inst par), size);
#define O_C_OCTET(inst, par, size) if (!(inst command_status)) { str_field(#par, (inst par), size); }
#define OCTET8(inst, par, size, lenval) octet8_field(#par, (inst par), size, &(lenval));
#define OCTET16(inst, par, size) octet16_field((inst par), size, &(inst length));
#define TLV(inst, par, do_tlv) WALK_TLVS(inst par, do_tlv)
#define DAD(inst, par, do_dad) WALK_DADS(inst par, inst number_of_dests)
#define UDAD(inst, par, do_udad) WALK_UDADS(inst par, inst no_unsuccess)

#include "def_frame/alert_notification.tlv"
#include "def_frame/bind_receiver_resp.tlv"
#include "def_frame/bind_transceiver_resp.tlv"
#include "def_frame/bind_transmitter_resp.tlv"
#include "def_frame/data_sm.tlv"
#include "def_frame/data_sm_resp.tlv"
#include "def_frame/deliver_sm.tlv"
#include "def_frame/submit_multi.tlv"
#include "def_frame/submit_sm.tlv"

/* Runs the field macros of PDU `type` over `tt` in the current mode: the library's own dispatch table. */
static int walk(uint32_t type, void *tt) {
    char errbuf[256];
    char *ptrerror = errbuf;
    int lefterror = sizeof errbuf;
#define instancia t1->
#include "def_list/smpp34_protocol.def"
#undef instancia
    return 0;
}

static void answer_error(const char *why) {
    printf("ERR ");
    for (; *why; why++) putchar(*why == '\n' || *why == '\r' ? ' ' : *why);
    putchar('\n');
}

static void decode_line(const char *hex) {
    static uint8_t buf[MAX_PDU + 4];
    long n = unhex(hex, buf, MAX_PDU);
    if (n < 16) { answer_error(n < 0 ? "not hex" : "shorter than a PDU header"); return; }
    memset(buf + n, 0, 4); /* libsmpp34 runs strlen over C-Octet Strings: keep it inside our buffer */
    uint32_t type = (uint32_t)buf[4] << 24 | (uint32_t)buf[5] << 16 | (uint32_t)buf[6] << 8 | buf[7];
    const char *name = command_name(type);
    if (!name) { answer_error("command_id not handled by libsmpp34"); return; }
    union any_pdu *pdu = calloc(1, sizeof *pdu);
    if (smpp34_unpack(type, pdu, buf, (int)n) != 0) {
        /* smpp34_strerror logs every field it read; the refusal is the last entry. */
        size_t len = strlen(smpp34_strerror);
        answer_error(len > 400 ? smpp34_strerror + len - 400 : smpp34_strerror);
    } else {
        char *text = NULL;
        size_t size = 0;
        g_out = open_memstream(&text, &size);
        g_mode = M_PRINT;
        walk(type, pdu);
        fclose(g_out);
        printf("OK %s%s\n", name, text);
        free(text);
    }
    g_mode = M_FREE;
    walk(type, pdu);
    free(pdu);
}

static void pack_line(char *line) {
    char *save = NULL;
    char *name = strtok_r(line, " ", &save);
    uint32_t type;
    if (!name || !command_id(name, &type)) { answer_error("unknown command name"); return; }
    union any_pdu *pdu = calloc(1, sizeof *pdu);
    ((generic_nack_t *)pdu)->command_id = type;
    g_error[0] = 0;
    for (char *pair; !g_error[0] && (pair = strtok_r(NULL, " ", &save));) {
        char *eq = strchr(pair, '=');
        if (!eq) { fail("%s%s is not key=value", pair, ""); break; }
        *eq = 0;
        g_key = pair;
        g_val = eq + 1;
        g_matched = 0;
        g_mode = M_SET;
        walk(type, pdu);
        if (!g_matched) fail("%s is not a field of %s in libsmpp34", pair, name);
    }
    if (g_error[0]) {
        answer_error(g_error);
    } else {
        static uint8_t out[MAX_PDU];
        int len = 0;
        if (smpp34_pack(type, out, sizeof out, &len, pdu) != 0) {
            size_t l = strlen(smpp34_strerror);
            answer_error(l > 400 ? smpp34_strerror + l - 400 : smpp34_strerror);
        } else {
            printf("OK ");
            put_hex(stdout, out, (size_t)len);
            putchar('\n');
        }
    }
    g_mode = M_FREE;
    walk(type, pdu);
    free(pdu);
}

int main(void) {
    static char line[2 * MAX_PDU + 4096];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0]) continue;
        if (strncmp(line, "PACK ", 5) == 0) pack_line(line + 5);
        else decode_line(line);
        fflush(stdout);
    }
    return 0;
}
