/// The embedded target's OpenAPI 3.1 document, served at `GET /openapi.json`: written by
/// hand from the routes in BusinessAPI.swift, so it says what the target does rather than
/// what a generator inferred. Its `links` say which response feeds which request (an order's
/// id to reading, paying and invoicing it), so `stampede convert` of it makes a plan that
/// runs. OpenAPITargetTests calls every operation as it says and validates it with
/// openapi-spec-validator; a route added to the API without a line here fails that test.
enum OpenAPIDocument {
    static let json = #"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Stampede embedded target",
    "version": "1.0.0",
    "description": "The business-support API that `stampede target` serves from memory (docs/target.md): customers, products, orders, payments, invoices, subscriptions. Written by hand from its routes (Sources/StampedeTarget/BusinessAPI.swift); a test calls every operation as this document says and checks the status."
  },
  "servers": [
    {"url": "http://127.0.0.1:8080", "description": "stampede target's default address"}
  ],
  "paths": {
    "/": {
      "get": {
        "operationId": "listRoutes",
        "summary": "The routes, as method and path",
        "responses": {
          "200": {"description": "The routes", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/RouteList"}}}}
        }
      }
    },
    "/health": {
      "get": {
        "operationId": "health",
        "summary": "Liveness",
        "responses": {
          "200": {"description": "Up", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Health"}}}}
        }
      }
    },
    "/metrics": {
      "get": {
        "operationId": "getProcessMetrics",
        "summary": "The target's own process in Prometheus' text format, for --scrape; not counted as a request",
        "responses": {
          "200": {"description": "The metrics", "content": {"text/plain": {"schema": {"type": "string"}}}}
        }
      }
    },
    "/openapi.json": {
      "get": {
        "operationId": "getOpenAPIDocument",
        "summary": "This document",
        "responses": {
          "200": {"description": "The OpenAPI document", "content": {"application/json": {"schema": {"type": "object"}}}}
        }
      }
    },
    "/shop": {
      "get": {
        "operationId": "getShopPage",
        "summary": "A page that shops through the API in a browser, for recording a HAR",
        "responses": {
          "200": {"description": "The page", "content": {"text/html": {"schema": {"type": "string"}}}}
        }
      }
    },
    "/shop/shop.js": {
      "get": {
        "operationId": "getShopScript",
        "summary": "The shop page's script",
        "responses": {
          "200": {"description": "The script", "content": {"text/javascript": {"schema": {"type": "string"}}}}
        }
      }
    },
    "/shop/shop.css": {
      "get": {
        "operationId": "getShopStylesheet",
        "summary": "The shop page's stylesheet",
        "responses": {
          "200": {"description": "The stylesheet", "content": {"text/css": {"schema": {"type": "string"}}}}
        }
      }
    },
    "/echo": {
      "post": {
        "operationId": "echo",
        "summary": "The request body back as sent",
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"type": "object"}, "example": {"hello": "world"}}}
        },
        "responses": {
          "200": {"description": "The body as sent", "content": {"application/json": {"schema": {"type": "object"}}}}
        }
      }
    },
    "/customers": {
      "get": {
        "operationId": "listCustomers",
        "summary": "A page of customers",
        "parameters": [
          {"$ref": "#/components/parameters/Page"},
          {"$ref": "#/components/parameters/Size"}
        ],
        "responses": {
          "200": {"description": "A page", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CustomerPage"}}}},
          "422": {"$ref": "#/components/responses/Refused"}
        }
      },
      "post": {
        "operationId": "createCustomer",
        "summary": "A new customer",
        "requestBody": {
          "required": true,
          "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/NewCustomer"},
            "example": {"name": "Ada Lovelace", "email": "ada@example.test", "addresses": [{"street": "1 Analytical Way", "city": "London", "country": "GB"}]}
          }}
        },
        "responses": {
          "201": {
            "description": "The customer created",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Customer"}}},
            "links": {
              "GetCustomer": {"operationId": "getCustomer", "parameters": {"id": "$response.body#/id"}}
            }
          },
          "400": {"$ref": "#/components/responses/Malformed"}
        }
      }
    },
    "/customers/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "example": "c-0001"}],
      "get": {
        "operationId": "getCustomer",
        "summary": "One customer",
        "responses": {
          "200": {"description": "The customer", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Customer"}}}},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/customers/{id}/orders": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "example": "c-0001"}],
      "get": {
        "operationId": "listCustomerOrders",
        "summary": "A customer's orders",
        "responses": {
          "200": {"description": "The orders", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Order"}}}}},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/customers/{id}/invoices": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "example": "c-0001"}],
      "get": {
        "operationId": "listCustomerInvoices",
        "summary": "A customer's invoices",
        "responses": {
          "200": {"description": "The invoices", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Invoice"}}}}},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/customers/{id}/subscriptions": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "example": "c-0001"}],
      "get": {
        "operationId": "listCustomerSubscriptions",
        "summary": "A customer's subscriptions",
        "responses": {
          "200": {"description": "The subscriptions", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/Subscription"}}}}},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/products": {
      "get": {
        "operationId": "listProducts",
        "summary": "A page of products",
        "parameters": [
          {"$ref": "#/components/parameters/Page"},
          {"$ref": "#/components/parameters/Size"}
        ],
        "responses": {
          "200": {"description": "A page", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ProductPage"}}}},
          "422": {"$ref": "#/components/responses/Refused"}
        }
      }
    },
    "/products/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "example": "p-001"}],
      "get": {
        "operationId": "getProduct",
        "summary": "One product",
        "responses": {
          "200": {"description": "The product", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Product"}}}},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/orders": {
      "post": {
        "operationId": "createOrder",
        "summary": "A new order",
        "requestBody": {
          "required": true,
          "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/NewOrder"},
            "example": {"customerId": "c-0001", "lines": [{"productId": "p-001", "quantity": 2}]}
          }}
        },
        "responses": {
          "201": {
            "description": "The order created",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}},
            "links": {
              "GetOrder": {"operationId": "getOrder", "parameters": {"id": "$response.body#/id"}},
              "UpdateOrderStatus": {"operationId": "updateOrderStatus", "parameters": {"id": "$response.body#/id"}},
              "PayOrder": {"operationId": "createPayment", "requestBody": {"orderId": "{$response.body#/id}"}},
              "GetOrderInvoice": {"operationId": "getOrderInvoice", "parameters": {"id": "$response.body#/id"}}
            }
          },
          "400": {"$ref": "#/components/responses/Malformed"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "422": {"$ref": "#/components/responses/Refused"}
        }
      }
    },
    "/orders/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "example": "o-2"}],
      "get": {
        "operationId": "getOrder",
        "summary": "One order",
        "responses": {
          "200": {"description": "The order", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      },
      "patch": {
        "operationId": "updateOrderStatus",
        "summary": "Change an order's status",
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/StatusChange"}, "example": {"status": "shipped"}}}
        },
        "responses": {
          "200": {"description": "The order", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}},
          "400": {"$ref": "#/components/responses/Malformed"},
          "404": {"$ref": "#/components/responses/NotFound"},
          "422": {"$ref": "#/components/responses/Refused"}
        }
      }
    },
    "/payments": {
      "post": {
        "operationId": "createPayment",
        "summary": "Pay an order in full; the order becomes paid and gets an invoice",
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewPayment"}, "example": {"orderId": "o-2"}}}
        },
        "responses": {
          "201": {
            "description": "The payment, captured",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}},
            "links": {
              "GetPayment": {"operationId": "getPayment", "parameters": {"id": "$response.body#/id"}}
            }
          },
          "400": {"$ref": "#/components/responses/Malformed"},
          "402": {"description": "The payment, declined (stampede target --payment-failure-rate)", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}}},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/payments/{id}": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "example": "pay-3"}],
      "get": {
        "operationId": "getPayment",
        "summary": "One payment",
        "responses": {
          "200": {"description": "The payment", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Payment"}}}},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/orders/{id}/invoice": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "example": "o-2"}],
      "get": {
        "operationId": "getOrderInvoice",
        "summary": "An order's invoice, once the order is paid",
        "responses": {
          "200": {"description": "The invoice", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Invoice"}}}},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/subscriptions": {
      "post": {
        "operationId": "createSubscription",
        "summary": "A new subscription",
        "requestBody": {
          "required": true,
          "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewSubscription"}, "example": {"customerId": "c-0002", "productId": "p-003"}}}
        },
        "responses": {
          "201": {
            "description": "The subscription, active",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Subscription"}}},
            "links": {
              "RenewSubscription": {"operationId": "renewSubscription", "parameters": {"id": "$response.body#/id"}},
              "CancelSubscription": {"operationId": "cancelSubscription", "parameters": {"id": "$response.body#/id"}}
            }
          },
          "400": {"$ref": "#/components/responses/Malformed"},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    },
    "/subscriptions/{id}/renew": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "example": "s-0001"}],
      "post": {
        "operationId": "renewSubscription",
        "summary": "One more renewal",
        "responses": {
          "200": {"description": "The subscription", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Subscription"}}}},
          "404": {"$ref": "#/components/responses/NotFound"},
          "422": {"$ref": "#/components/responses/Refused"}
        }
      }
    },
    "/subscriptions/{id}/cancel": {
      "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}, "example": "s-0001"}],
      "post": {
        "operationId": "cancelSubscription",
        "summary": "Cancel a subscription",
        "responses": {
          "200": {"description": "The subscription, cancelled", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Subscription"}}}},
          "404": {"$ref": "#/components/responses/NotFound"}
        }
      }
    }
  },
  "components": {
    "parameters": {
      "Page": {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}, "example": 1},
      "Size": {"name": "size", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}, "example": 20}
    },
    "responses": {
      "NotFound": {"description": "No such route or record", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Refused": {"description": "A request the data refuses", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
      "Malformed": {"description": "A body that is not the JSON the route expects", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}
    },
    "schemas": {
      "Error": {"type": "object", "required": ["error"], "properties": {"error": {"type": "string"}}},
      "RouteList": {"type": "object", "required": ["routes"], "properties": {"routes": {"type": "array", "items": {"type": "string"}}}},
      "Health": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string", "const": "ok"}}},
      "Address": {
        "type": "object", "required": ["street", "city", "country"],
        "properties": {"street": {"type": "string"}, "city": {"type": "string"}, "country": {"type": "string"}}
      },
      "NewCustomer": {
        "type": "object", "required": ["name", "email"],
        "properties": {"name": {"type": "string"}, "email": {"type": "string", "format": "email"}, "addresses": {"type": "array", "items": {"$ref": "#/components/schemas/Address"}}}
      },
      "Customer": {
        "type": "object", "required": ["id", "name", "email", "addresses"],
        "properties": {"id": {"type": "string", "readOnly": true}, "name": {"type": "string"}, "email": {"type": "string"}, "addresses": {"type": "array", "items": {"$ref": "#/components/schemas/Address"}}}
      },
      "CustomerPage": {
        "type": "object", "required": ["items", "page", "size", "total"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Customer"}}, "page": {"type": "integer"}, "size": {"type": "integer"}, "total": {"type": "integer"}}
      },
      "Product": {
        "type": "object", "required": ["id", "name", "price", "currency"],
        "properties": {"id": {"type": "string"}, "name": {"type": "string"}, "price": {"type": "integer", "description": "Minor units (cents)"}, "currency": {"type": "string"}}
      },
      "ProductPage": {
        "type": "object", "required": ["items", "page", "size", "total"],
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/Product"}}, "page": {"type": "integer"}, "size": {"type": "integer"}, "total": {"type": "integer"}}
      },
      "OrderLine": {
        "type": "object", "required": ["productId", "quantity"],
        "properties": {"productId": {"type": "string"}, "quantity": {"type": "integer", "minimum": 1}}
      },
      "NewOrder": {
        "type": "object", "required": ["customerId", "lines"],
        "properties": {"customerId": {"type": "string"}, "lines": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/OrderLine"}}}
      },
      "Order": {
        "type": "object", "required": ["id", "customerId", "lines", "total", "status"],
        "properties": {
          "id": {"type": "string"}, "customerId": {"type": "string"},
          "lines": {"type": "array", "items": {"$ref": "#/components/schemas/OrderLine"}},
          "total": {"type": "integer", "description": "Minor units (cents)"},
          "status": {"$ref": "#/components/schemas/OrderStatus"}
        }
      },
      "OrderStatus": {"type": "string", "enum": ["created", "paid", "shipped", "delivered", "cancelled"]},
      "StatusChange": {"type": "object", "required": ["status"], "properties": {"status": {"$ref": "#/components/schemas/OrderStatus"}}},
      "NewPayment": {"type": "object", "required": ["orderId"], "properties": {"orderId": {"type": "string"}}},
      "Payment": {
        "type": "object", "required": ["id", "orderId", "amount", "status"],
        "properties": {"id": {"type": "string"}, "orderId": {"type": "string"}, "amount": {"type": "integer"}, "status": {"type": "string", "enum": ["captured", "declined"]}}
      },
      "Invoice": {
        "type": "object", "required": ["id", "orderId", "customerId", "amount", "status"],
        "properties": {"id": {"type": "string"}, "orderId": {"type": "string"}, "customerId": {"type": "string"}, "amount": {"type": "integer"}, "status": {"type": "string", "const": "issued"}}
      },
      "NewSubscription": {"type": "object", "required": ["customerId", "productId"], "properties": {"customerId": {"type": "string"}, "productId": {"type": "string"}}},
      "Subscription": {
        "type": "object", "required": ["id", "customerId", "productId", "status", "renewals"],
        "properties": {"id": {"type": "string"}, "customerId": {"type": "string"}, "productId": {"type": "string"}, "status": {"type": "string", "enum": ["active", "cancelled"]}, "renewals": {"type": "integer"}}
      }
    }
  }
}
"""#
}
