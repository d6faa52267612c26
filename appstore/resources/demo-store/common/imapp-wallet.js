// The demo DApps' kit for imapp's wallet provider (docs/dapp-api.md): ask with window.imapp, and
// check a signature from imapp_signMessage here in the page, with nothing but BigInt and
// WebCrypto: secp256k1 ECDSA over imapp's domain-separated digest, and the signer's BCD address
// (P2PKH: Base58Check of RIPEMD-160(SHA-256(public key))).
const imappWallet = (() => {
  const P = 2n ** 256n - 2n ** 32n - 977n;
  const N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const G = [0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n,
             0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n];
  const mod = (a, m = P) => ((a % m) + m) % m;
  function inv(a, m = P) {
    let [x0, x1, r0, r1] = [0n, 1n, m, mod(a, m)];
    while (r1) { const q = r0 / r1; [x0, x1] = [x1, x0 - q * x1]; [r0, r1] = [r1, r0 - q * r1]; }
    return mod(x0, m);
  }
  function pow(b, e, m = P) {
    let r = 1n; b = mod(b, m);
    while (e) { if (e & 1n) r = r * b % m; b = b * b % m; e >>= 1n; }
    return r;
  }
  function add(p, q) {
    if (!p) return q; if (!q) return p;
    let l;
    if (p[0] === q[0]) {
      if (mod(p[1] + q[1]) === 0n) return null;
      l = mod(3n * p[0] * p[0] * inv(2n * p[1]));
    } else {
      l = mod((q[1] - p[1]) * inv(q[0] - p[0]));
    }
    const x = mod(l * l - p[0] - q[0]);
    return [x, mod(l * (p[0] - x) - p[1])];
  }
  function mul(k, p) {
    let r = null;
    while (k) { if (k & 1n) r = add(r, p); p = add(p, p); k >>= 1n; }
    return r;
  }
  const hex = b => [...b].map(x => x.toString(16).padStart(2, "0")).join("");
  const unhex = h => new Uint8Array((h.match(/../g) || []).map(x => parseInt(x, 16)));
  const big = b => BigInt("0x" + (hex(b) || "0"));
  async function sha256(bytes) { return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)); }

  // RIPEMD-160 (Dobbertin, Bosselaers, Preneel), for the address.
  function ripemd160(msg) {
    const rl = [0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,7,4,13,1,10,6,15,3,12,0,9,5,2,14,11,8,
      3,10,14,4,9,15,8,1,2,7,0,6,13,11,5,12,1,9,11,10,0,8,12,4,13,3,7,15,14,5,6,2,
      4,0,5,9,7,12,2,10,14,1,3,8,11,6,15,13];
    const rr = [5,14,7,0,9,2,11,4,13,6,15,8,1,10,3,12,6,11,3,7,0,13,5,10,14,15,8,12,4,9,1,2,
      15,5,1,3,7,14,6,9,11,8,12,2,10,0,4,13,8,6,4,1,3,11,15,0,5,12,2,13,9,7,10,14,
      12,15,10,4,1,5,8,7,6,2,13,14,0,3,9,11];
    const sl = [11,14,15,12,5,8,7,9,11,13,14,15,6,7,9,8,7,6,8,13,11,9,7,15,7,12,15,9,11,7,13,12,
      11,13,6,7,14,9,13,15,14,8,13,6,5,12,7,5,11,12,14,15,14,15,9,8,9,14,5,6,8,6,5,12,
      9,15,5,11,6,8,13,12,5,12,13,14,11,8,5,6];
    const sr = [8,9,9,11,13,15,15,5,7,7,8,11,14,14,12,6,9,13,15,7,12,8,9,11,7,7,12,7,6,15,13,11,
      9,7,15,11,8,6,6,14,12,13,5,14,13,13,7,5,15,5,8,11,14,14,6,14,6,9,12,9,12,5,15,8,
      8,5,12,9,12,5,14,6,8,13,6,5,15,13,11,11];
    const kl = [0, 0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xa953fd4e];
    const kr = [0x50a28be6, 0x5c4dd124, 0x6d703ef3, 0x7a6d76e9, 0];
    const f = (j, x, y, z) => j < 16 ? x ^ y ^ z : j < 32 ? (x & y) | (~x & z) : j < 48 ? (x | ~y) ^ z
      : j < 64 ? (x & z) | (y & ~z) : x ^ (y | ~z);
    const rol = (x, n) => (x << n) | (x >>> (32 - n));
    const len = msg.length, padded = new Uint8Array(((len + 8) >> 6) * 64 + 64);
    padded.set(msg); padded[len] = 0x80;
    const dv = new DataView(padded.buffer);
    dv.setUint32(padded.length - 8, (len * 8) >>> 0, true);
    dv.setUint32(padded.length - 4, Math.floor(len / 0x20000000), true);
    let h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
    for (let o = 0; o < padded.length; o += 64) {
      const x = []; for (let i = 0; i < 16; i++) x.push(dv.getUint32(o + 4 * i, true));
      let [al, bl, cl, dl, el] = h, [ar, br, cr, dr, er] = h;
      for (let j = 0; j < 80; j++) {
        let t = (rol((al + f(j, bl, cl, dl) + x[rl[j]] + kl[j >> 4]) | 0, sl[j]) + el) | 0;
        [al, el, dl, cl, bl] = [el, dl, rol(cl, 10), bl, t];
        t = (rol((ar + f(79 - j, br, cr, dr) + x[rr[j]] + kr[j >> 4]) | 0, sr[j]) + er) | 0;
        [ar, er, dr, cr, br] = [er, dr, rol(cr, 10), br, t];
      }
      const t = (h[1] + cl + dr) | 0;
      h = [t, (h[2] + dl + er) | 0, (h[3] + el + ar) | 0, (h[4] + al + br) | 0, (h[0] + bl + cr) | 0];
    }
    const out = new Uint8Array(20), ov = new DataView(out.buffer);
    h.forEach((v, i) => ov.setUint32(4 * i, v >>> 0, true));
    return out;
  }
  const B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
  async function address(publicKey) {
    const payload = new Uint8Array([0, ...ripemd160(await sha256(publicKey))]);
    const check = (await sha256(await sha256(payload))).slice(0, 4);
    const full = new Uint8Array([...payload, ...check]);
    let n = big(full), s = "";
    while (n > 0n) { s = B58[Number(n % 58n)] + s; n /= 58n; }
    for (const b of full) { if (b) break; s = "1" + s; }
    return s;
  }

  // The digest imapp signs (core/wallet/signing.py): domain, purpose, canonical JSON payload.
  async function digest(purpose, message) {
    const enc = new TextEncoder();
    const body = [...enc.encode("imapp-sig-v1\0" + purpose + "\0"), ...enc.encode(JSON.stringify({message}))];
    return sha256(new Uint8Array(body));
  }

  // Whether `signed` (what imapp_signMessage returned) is a valid signature of `message` by
  // its address, made for this DApp (`purpose`: dapp-message:STORE/APP).
  async function verify(signed, message, purpose) {
    try {
      if (signed.message !== message || signed.purpose !== purpose) return false;
      if (!/^0[23][0-9a-f]{64}$/.test(signed.publicKey) || !/^[0-9a-f]{128}$/.test(signed.signature)) return false;
      const key = unhex(signed.publicKey), sig = unhex(signed.signature);
      if (await address(key) !== signed.address) return false;
      const x = big(key.slice(1));
      if (x >= P) return false;
      let y = pow(mod(x * x * x + 7n), (P + 1n) / 4n);
      if (mod(y * y) !== mod(x * x * x + 7n)) return false;
      if ((y & 1n) !== BigInt(key[0] & 1)) y = P - y;
      const r = big(sig.slice(0, 32)), s = big(sig.slice(32));
      if (r <= 0n || r >= N || s <= 0n || s > N / 2n) return false;
      const z = big(await digest(purpose, message)), w = inv(s, N);
      const pt = add(mul(mod(z * w, N), G), mul(mod(r * w, N), [x, y]));
      return pt !== null && mod(pt[0], N) === r;
    } catch (e) {
      return false;
    }
  }

  // What an error from window.imapp means for the person using the DApp.
  function explain(e) {
    const code = e && e.code;
    if (code === 4001) return e.data && e.data.quiet_for ? "quiet" : "rejected";
    if (code === 4300) return "funds";
    if (code === 4290 || code === -32002) return "busy";
    if (code === 4100) return "unauthorized";
    return "failed";
  }

  return {available: () => !!window.imapp, verify, address, explain,
          has: m => !!window.imapp && window.imapp.methods.includes(m),
          request: (method, params) => window.imapp.request({method, params})};
})();
