/*
 * notice.c - signed outage notices (notice.h): the central office's signing
 * key, encoding and signing a notice, parsing and verifying one at a station.
 *
 * Invariants: a notice is trusted only after notice_verify(): its key id is
 * the trusted central key's and its Ed25519 signature verifies over
 * NOTICE_TAG + the exact JSON line; the JSON line is written by jw (keys in
 * byte order, canonical), so a notice re-encoded from its fields is the
 * same bytes; the signing key lives in sodium_malloc'd memory (keys.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <cjson/cJSON.h>
#include <sodium.h>

#include "bulu/fsutil.h"
#include "bulu/json.h"
#include "bulu/notice.h"
#include "bulu/text.h"

static const struct {
	const char *name, *label;
} causes[] = {
	{"server", "服务器故障"},   {"network", "网络/光纤故障"}, {"power", "电力故障"},
	{"database", "数据库故障"}, {"virus", "病毒/勒索软件"},  {"application", "应用程序故障"},
	{"other", "其他"},
};

int notice_cause_ok(const char *cause) { return *notice_cause_label(cause) != '\0'; }

const char *notice_cause_label(const char *cause)
{
	for (size_t i = 0; cause && i < sizeof causes / sizeof causes[0]; i++)
		if (strcmp(cause, causes[i].name) == 0)
			return causes[i].label;
	return "";
}

int notice_level_ok(const char *l)
{
	return l && (!strcmp(l, "I") || !strcmp(l, "II") || !strcmp(l, "III") || !strcmp(l, "IV"));
}

int notice_tier_ok(const char *t)
{
	return t && (!strcmp(t, "30min") || !strcmp(t, "6h") || !strcmp(t, "24h"));
}

const char *notice_kind_label(const char *kind)
{
	if (!strcmp(kind, "start"))
		return "启动通知";
	if (!strcmp(kind, "level"))
		return "级别调整";
	if (!strcmp(kind, "tier"))
		return "分级转入";
	if (!strcmp(kind, "restore"))
		return "恢复运行通知";
	return "";
}

static int kind_ok(const char *k) { return *notice_kind_label(k) != '\0'; }

static int drill_ok(const char *d)
{
	return !strcmp(d, "real") || !strcmp(d, "drill") || !strcmp(d, "live");
}

void notice_free(notice *nt)
{
	if (nt) {
		free(nt->json);
		nt->json = NULL;
	}
}

/* ---- signing (central) ---------------------------------------------------- */

static void message(const notice *nt, unsigned char **m, size_t *mlen)
{
	size_t t = strlen(NOTICE_TAG);
	*mlen = t + nt->json_len;
	*m = malloc(*mlen ? *mlen : 1);
	if (*m) {
		memcpy(*m, NOTICE_TAG, t);
		memcpy(*m + t, nt->json, nt->json_len);
	}
}

int notice_sign(notice *nt, const keypair *kp, bulu_err *e)
{
	jw w;
	jw_init(&w);
	jw_obj_begin(&w);
	jw_kstr(&w, "at", nt->at);
	jw_kstr(&w, "cause", nt->cause);
	jw_kstr(&w, "drill", nt->drill);
	jw_kstr(&w, "id", nt->id);
	jw_kstr(&w, "issued_at", nt->issued_at);
	jw_kstr(&w, "kind", nt->kind);
	jw_kstr(&w, "level", nt->level);
	jw_kint(&w, "n", nt->n);
	jw_kstr_opt(&w, "note", nt->note);
	jw_kstr(&w, "start", nt->start);
	jw_kstr(&w, "tier", nt->tier);
	jw_kstr(&w, "v", "1");
	jw_obj_end(&w);
	const char *txt;
	size_t len;
	int rc = BULU_OK;
	if (jw_finish(&w, &txt, &len) != 0 || !(nt->json = malloc(len + 1))) {
		rc = bulu_errf(e, BULU_BADINPUT, "the notice's text must be UTF-8");
		goto done;
	}
	memcpy(nt->json, txt, len);
	nt->json[len] = '\0';
	nt->json_len = len;
	unsigned char *m, rec[KEY_ID_BYTES + crypto_sign_BYTES];
	size_t mlen;
	message(nt, &m, &mlen);
	if (!m) {
		rc = bulu_errf(e, BULU_SYSTEM, "out of memory");
		goto done;
	}
	memcpy(rec, kp->key_id, KEY_ID_BYTES);
	crypto_sign_detached(rec + KEY_ID_BYTES, NULL, m, mlen, kp->sk);
	free(m);
	sodium_bin2base64(nt->sig_b64, sizeof nt->sig_b64, rec, sizeof rec,
			  sodium_base64_VARIANT_ORIGINAL);
done:
	jw_free(&w);
	return rc;
}

char *notice_text(const notice *nt, size_t *len)
{
	size_t cap = nt->json_len + sizeof nt->sig_b64 + 256;
	char *out = malloc(cap);
	if (!out)
		return NULL;
	int n = snprintf(out, cap, "untrusted comment: bulu outage notice %s #%lld %s\n%s\nsignature: %s\n",
			 nt->id, (long long)nt->n, nt->kind, nt->json, nt->sig_b64);
	*len = n > 0 ? (size_t)n : 0;
	return out;
}

/* ---- parsing and verifying (station) ---------------------------------------- */

static int field(const cJSON *o, const char *k, char *out, size_t n, int required,
		 const char *what, bulu_err *e)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	*out = '\0';
	if (!v && !required)
		return BULU_OK;
	if (!cJSON_IsString(v) || strlen(v->valuestring) >= n)
		return bulu_errf(e, BULU_BADINPUT, "%s: line 2: \"%s\" is missing or not a short text",
				 what, k);
	snprintf(out, n, "%s", v->valuestring);
	return BULU_OK;
}

int notice_parse(const char *what, const char *text, size_t n, notice *nt, bulu_err *e)
{
	memset(nt, 0, sizeof *nt);
	if (n > NOTICE_MAX || !text_is_utf8(text, n))
		return bulu_errf(e, BULU_BADINPUT, "%s: not an outage notice (too long or not UTF-8)", what);
	const char *l1 = text, *l2 = strchr(l1, '\n');
	const char *l3 = l2 ? strchr(l2 + 1, '\n') : NULL;
	if (strncmp(l1, "untrusted comment:", 18) != 0 || !l2 || !l3)
		return bulu_errf(e, BULU_BADINPUT,
				 "%s: line 1: not an outage notice (written by `bulu outage declare`)", what);
	l2++;
	l3++;
	size_t jl = (size_t)(l3 - 1 - l2);
	if (jl && l2[jl - 1] == '\r')
		jl--;
	if (strncmp(l3, "signature: ", 11) != 0)
		return bulu_errf(e, BULU_BADINPUT, "%s: line 3: no \"signature:\" line", what);
	size_t sl = strcspn(l3 + 11, "\r\n");
	if (sl >= sizeof nt->sig_b64)
		return bulu_errf(e, BULU_BADINPUT, "%s: line 3: the signature is too long", what);
	memcpy(nt->sig_b64, l3 + 11, sl);
	nt->sig_b64[sl] = '\0';
	if (!(nt->json = malloc(jl + 1)))
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	memcpy(nt->json, l2, jl);
	nt->json[jl] = '\0';
	nt->json_len = jl;
	cJSON *o = cJSON_ParseWithLength(nt->json, jl);
	int rc = BULU_OK;
	if (!cJSON_IsObject(o)) {
		rc = bulu_errf(e, BULU_BADINPUT, "%s: line 2: not a JSON object", what);
		goto done;
	}
	char v[8];
	const cJSON *num = cJSON_GetObjectItemCaseSensitive(o, "n");
	if ((rc = field(o, "v", v, sizeof v, 1, what, e)) != BULU_OK ||
	    (rc = field(o, "id", nt->id, sizeof nt->id, 1, what, e)) != BULU_OK ||
	    (rc = field(o, "kind", nt->kind, sizeof nt->kind, 1, what, e)) != BULU_OK ||
	    (rc = field(o, "start", nt->start, sizeof nt->start, 1, what, e)) != BULU_OK ||
	    (rc = field(o, "at", nt->at, sizeof nt->at, 1, what, e)) != BULU_OK ||
	    (rc = field(o, "issued_at", nt->issued_at, sizeof nt->issued_at, 1, what, e)) != BULU_OK ||
	    (rc = field(o, "cause", nt->cause, sizeof nt->cause, 1, what, e)) != BULU_OK ||
	    (rc = field(o, "level", nt->level, sizeof nt->level, 1, what, e)) != BULU_OK ||
	    (rc = field(o, "tier", nt->tier, sizeof nt->tier, 1, what, e)) != BULU_OK ||
	    (rc = field(o, "drill", nt->drill, sizeof nt->drill, 1, what, e)) != BULU_OK ||
	    (rc = field(o, "note", nt->note, sizeof nt->note, 0, what, e)) != BULU_OK)
		goto done;
	if (strcmp(v, "1") != 0 || !cJSON_IsNumber(num) || num->valuedouble < 1 ||
	    num->valuedouble > 1e6 || !kind_ok(nt->kind) || !notice_cause_ok(nt->cause) ||
	    !notice_level_ok(nt->level) || !notice_tier_ok(nt->tier) || !drill_ok(nt->drill) ||
	    clock_epoch(nt->start) < 0 || clock_epoch(nt->at) < 0 ||
	    (strncmp(nt->id, "DRILL-", 6) == 0) != (strcmp(nt->drill, "drill") == 0)) {
		rc = bulu_errf(e, BULU_BADINPUT, "%s: line 2: a field holds a value a notice cannot have",
			       what);
		goto done;
	}
	nt->n = (int64_t)num->valuedouble;
done:
	cJSON_Delete(o);
	if (rc != BULU_OK)
		notice_free(nt);
	return rc;
}

int notice_verify(const notice *nt, const uint8_t pk[KEY_PK_BYTES], bulu_err *e)
{
	unsigned char rec[KEY_ID_BYTES + crypto_sign_BYTES], id[KEY_ID_BYTES];
	size_t n = 0;
	if (sodium_base642bin(rec, sizeof rec, nt->sig_b64, strlen(nt->sig_b64), NULL, &n, NULL,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    n != sizeof rec)
		return bulu_errf(e, BULU_INTEGRITY, "notice %s #%lld: the signature is damaged",
				 nt->id, (long long)nt->n);
	keys_key_id(pk, id);
	if (memcmp(id, rec, KEY_ID_BYTES) != 0) {
		char a[17], b[17];
		keys_key_id_hex(rec, a);
		keys_key_id_hex(id, b);
		return bulu_errf(e, BULU_INTEGRITY,
				 "notice %s #%lld was signed by key %s, not by the trusted central key %s: "
				 "refused", nt->id, (long long)nt->n, a, b);
	}
	unsigned char *m;
	size_t mlen;
	message(nt, &m, &mlen);
	if (!m)
		return bulu_errf(e, BULU_SYSTEM, "out of memory");
	int bad = crypto_sign_verify_detached(rec + KEY_ID_BYTES, m, mlen, pk);
	free(m);
	if (bad)
		return bulu_errf(e, BULU_INTEGRITY,
				 "notice %s #%lld: the signature does not verify (altered or forged): refused",
				 nt->id, (long long)nt->n);
	return BULU_OK;
}

int notice_pub_load(const char *path, uint8_t pk[KEY_PK_BYTES], bulu_err *e)
{
	char *text = NULL;
	size_t n;
	uint8_t id[KEY_ID_BYTES];
	int rc = fs_read_regular(path, 4096, &text, &n, e);
	if (rc == BULU_OK && keys_parse_minisign_pubkey(text, pk, id, e) != BULU_OK)
		rc = bulu_err_prefix(e, "%s", path);
	free(text);
	return rc;
}

int notice_load(const char *path, const char *pubpath, notice *nt, bulu_err *e)
{
	uint8_t pk[KEY_PK_BYTES];
	char *text = NULL;
	size_t n;
	memset(nt, 0, sizeof *nt);
	if (!fs_exists(pubpath))
		return bulu_errf(e, BULU_BADINPUT,
				 "this station trusts no central signing key: add it with "
				 "`bulu station trust-central --pubkey central-sign.pub`");
	int rc = notice_pub_load(pubpath, pk, e);
	if (rc == BULU_OK)
		rc = fs_read_regular(path, NOTICE_MAX, &text, &n, e);
	if (rc == BULU_OK)
		rc = notice_parse(path, text, n, nt, e);
	free(text);
	if (rc == BULU_OK && (rc = notice_verify(nt, pk, e)) != BULU_OK)
		notice_free(nt);
	return rc;
}

/* ---- the central signing key ---------------------------------------------- */

int notice_key_create(const char *dir, bulu_err *e)
{
	char sk[4096], pub[4096], text[512];
	snprintf(sk, sizeof sk, "%s/central-sign.key", dir);
	snprintf(pub, sizeof pub, "%s/central-sign.pub", dir);
	if (fs_exists(sk))
		return bulu_errf(e, BULU_BADINPUT, "%s exists: a signing key is never replaced", sk);
	keypair kp;
	int rc = keys_init(e);
	if (rc == BULU_OK)
		rc = fs_mkdirs(dir, 0700, e);
	if (rc == BULU_OK)
		rc = keys_generate(&kp, e);
	if (rc != BULU_OK)
		return rc;
	keys_minisign_pubkey(kp.pk, "bulu central office signing key (outage notices)", text,
			     sizeof text);
	rc = keys_save_secret(sk, &kp, "central office (outage notices)", NULL, e);
	if (rc == BULU_OK)
		rc = fs_write_atomic(pub, text, strlen(text), 0644, e);
	keys_free(&kp);
	return rc;
}

int notice_key_load(const char *dir, keypair *kp, bulu_err *e)
{
	char sk[4096];
	snprintf(sk, sizeof sk, "%s/central-sign.key", dir);
	if (!fs_exists(sk))
		return bulu_errf(e, BULU_BADINPUT,
				 "%s is missing: make the signing key with `bulu central init --dir %s`",
				 sk, dir);
	int rc = keys_init(e);
	return rc == BULU_OK ? keys_load_secret(sk, NULL, kp, e) : rc;
}
