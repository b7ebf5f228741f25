/// A page a browser opens to use the API as a shop front end does, so a HAR recording of
/// it can be tried with `stampede convert` (docs/convert.md), and the tests record one with
/// headless Chromium. Its script lists products, pauses as a person reading would, orders
/// the second product, pays for the order and reads it back: values flow from responses
/// into later requests, as in a real front end. It sets the title to `done` at the end.
enum ShopPage {
    /// Path → content type and text.
    static let files: [String: (contentType: String, text: String)] = [
        "/shop": ("text/html; charset=utf-8", html),
        "/shop/shop.js": ("text/javascript; charset=utf-8", script),
        "/shop/shop.css": ("text/css; charset=utf-8", style),
    ]

    static let html = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <title>shop</title>
        <link rel="icon" href="data:,">
        <link rel="stylesheet" href="/shop/shop.css">
        <script src="/shop/shop.js" defer></script>
        </head>
        <body>
        <h1>Shop</h1>
        <p>This page shops as a person would: it lists products, orders one, pays and reads the order back.
        Record it (DevTools, Network, Save all as HAR), then turn the recording into a plan with
        <code>stampede convert recording.har</code>.</p>
        <pre id="log"></pre>
        </body>
        </html>

        """

    static let script = """
        const log = (line) => { document.getElementById('log').textContent += line + '\\n'; };
        const pause = (milliseconds) => new Promise((resolve) => setTimeout(resolve, milliseconds));

        async function call(method, path, body) {
          const init = body === undefined ? { method }
            : { method, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
          const response = await fetch(path, init);
          log(method + ' ' + path + ' ' + response.status);
          return response.json();
        }

        async function shop() {
          const products = await call('GET', '/products?page=1&size=5');
          await pause(1500);  // reading the list
          const order = await call('POST', '/orders',
            { customerId: 'c-0001', lines: [{ productId: products.items[1].id, quantity: 2 }] });
          await pause(800);   // typing card details
          await call('POST', '/payments', { orderId: order.id });
          const paid = await call('GET', '/orders/' + order.id);
          log('order ' + paid.id + ': ' + paid.status + ', ' + paid.total + ' cents');
          document.title = 'done';
        }

        shop().catch((error) => { log('failed: ' + error); document.title = 'failed'; });

        """

    static let style = """
        body { font-family: sans-serif; margin: 2em; max-width: 40em; }
        pre { background: #f4f4f4; padding: 1em; }

        """
}
