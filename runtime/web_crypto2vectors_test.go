package runtime_test

// webCrypto2Vectors are values made with Node's Web Crypto for the keys of
// webCryptoVectors: RSA-OAEP ciphertexts of "hello" (SHA-256 with label
// "L", and SHA-1), and a P-256 ECDH pair with its shared secret.
const webCrypto2Vectors = `{
"oaep256":"GC6CL/5PpM6CWaDz+a9PPfExb3HC4pxc3h8ijXXpkOdOFH5TEvZBzKDve7NX5byz0zFfUPlbLaQvAI4jr3slefGo050s5a4mAcIypF+DwBUQCxIUceF2r1bsQkYo6Bbcqvknvv8Ftm9CcHyfimQNDsTU1WSd7Co7LE7sEITTr8M=",
"oaep1":"uH59y6MGMod0sInbO58BcZwiEArEjrqjwwD6I90IxuJukWNBr5z9YzeVCzNHRlaUAYf4cb/ff0cKo1TBA69YQC59EzkpTo4ODyZmryycOQHk1zzMYI6bKySpCZZIWGL16IAvoAHzkBYo8XpiLHIMPUDuCtx+howDJUkV+7Cbjm4=",
"ecdhA":{"kty":"EC","x":"e3AjZ_GSR-DWY37W3hcCdC5i6BrLBSoqrf7v4L978Oc","y":"n1CoJ5UCh1oyLN5HdyEScZBOdE9PrVJ2j9ck3hOGqpI","crv":"P-256","d":"h0_hjtZNthqDR-aksQcsHBbonrjp2IBq0C8ZpuhgZiM"},
"ecdhB":"MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE3PR3YxKxX94oMuJe1/Of/ESJtyiGSzQcONfebLGuJZDH2DAj99S5DexjQ3KspyWpgs1l9IFPwlfFRvNOQm0DSA==",
"ecdhZ":"7196a3e2916a948aca1b1f9137c681cdf7c8bbc160b57c8419b02b5d15152b49",
"edSpki":"MCowBQYDK2VwAyEAxNsaQyxMrDldDc6YubouTSSd3CQSCO3vQbYieZd4Hu8=",
"edPkcs8":"MC4CAQAwBQYDK2VwBCIEIMrU+SgqQ1VGt2h8/z4IfzuLVPiZHObUtQP2uENbvqLz",
"edSig":"Dm68DETGO8HSlF6H9CSwnrL88vV8xPYiEhA7EfBY1BN9k9Luc7hsaQEiIF6W9nVYF9tl/ZXH46alUBZEblJMBQ=="
}`
