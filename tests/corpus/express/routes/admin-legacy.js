// Legacy Express admin routes: ES5, callbacks and nested ifs. The inner else
// rejects a signed-in non-admin with 401 (a 403); the outer else rejects a
// missing session with a bare 401 that has no challenge and no log.
var express = require('express')
var mongoose = require('mongoose')

var router = express.Router()
var User = mongoose.model('User')

router.delete('/users/:id', function (req, res) {
  if (req.session && req.session.user) {
    if (req.session.user.isAdmin) {
      User.findByIdAndRemove(req.params.id, function (err) {
        if (err) {
          console.log(err)
          return res.status(500).send('Error')
        }
        res.send('Deleted')
      })
    } else {
      res.status(401).send('Unauthorized') // expect: prefer-403-for-authorization
    }
  } else {
    res.status(401).send('Unauthorized') // expect: require-www-authenticate, require-401-logging
  }
})

module.exports = router
