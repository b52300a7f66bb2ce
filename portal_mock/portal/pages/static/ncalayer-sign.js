// Signs the portal's request document through NCALayer, as egov.kz does: connect to NCALayer's
// WebSocket, ask which tokens are plugged in (getActiveTokens), then
// kz.gov.pki.knca.commonUtils.signXml on the first token or the file storage (PKCS12) with a
// SIGNATURE key; the signed XML goes back to the portal in the form below. Works the same with
// the real NCALayer and with `egov-sim ncalayer`. Without JavaScript the page offers the upload form.
(function () {
  "use strict";
  var form = document.getElementById("ncalayer-form");
  var button = document.getElementById("ncalayer-sign");
  var status = document.getElementById("ncalayer-status");
  if (!form || !button || !window.WebSocket || !window.fetch) { return; }
  button.hidden = false;

  function say(text) { status.textContent = text; }

  // One request, one answer: NCALayer answers in order on one connection.
  function session(url) {
    return new Promise(function (resolve, reject) {
      var socket = new WebSocket(url);
      var waiting = null;
      socket.onerror = function () { reject(new Error("unreachable")); if (waiting) { waiting.reject(new Error("unreachable")); } };
      socket.onclose = function () { if (waiting) { waiting.reject(new Error("closed")); waiting = null; } };
      socket.onmessage = function (event) {
        var message = JSON.parse(event.data);
        if (waiting) { var w = waiting; waiting = null; w.resolve(message); return; }
        if (message.result && message.result.version) {  // NCALayer's greeting
          resolve({
            call: function (request) {
              return new Promise(function (res, rej) { waiting = {resolve: res, reject: rej}; socket.send(JSON.stringify(request)); });
            },
            close: function () { socket.close(); }
          });
        } else { reject(new Error("not NCALayer")); }
      };
    });
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    say(form.dataset.working);
    var nca = null;
    fetch(form.dataset.document, {credentials: "same-origin"})
      .then(function (response) { if (!response.ok) { throw new Error("HTTP " + response.status); } return response.text(); })
      .then(function (xml) {
        return session(form.dataset.ncalayer).then(function (s) {
          nca = s;
          return s.call({module: "kz.gov.pki.knca.commonUtils", method: "getActiveTokens"})
            .then(function (tokens) {
              var storage = (tokens.code === "200" && tokens.responseObject && tokens.responseObject.length)
                ? tokens.responseObject[0] : "PKCS12";
              return s.call({module: "kz.gov.pki.knca.commonUtils", method: "signXml",
                             args: [storage, "SIGNATURE", xml, "", ""]});
            });
        });
      })
      .then(function (answer) {
        if (nca) { nca.close(); }
        if (answer.code === "200" && answer.responseObject) {
          document.getElementById("signed-xml").value = answer.responseObject;
          form.submit();
          return;
        }
        button.disabled = false;
        say(answer.message === "action.canceled" ? form.dataset.cancelled
            : form.dataset.failed + ": " + answer.code + " " + (answer.message || ""));
      })
      .catch(function (error) {
        if (nca) { nca.close(); }
        button.disabled = false;
        say(error.message === "unreachable" || error.message === "closed"
            ? form.dataset.unreachable : form.dataset.failed + ": " + error.message);
      });
  });
}());
